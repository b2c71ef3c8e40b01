import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { postAwsJson, startTestRegion, TestClock, type TestRegion } from '../support/region.ts';
import { ACCOUNT_ID, kmsClient, kmsOfRegion, rejectsWith } from './kms-support.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('KMS keys over the AWS SDK', () => {
  let region: TestRegion;
  let kms: KMSClient;
  const clock = new TestClock();

  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
    kms = kmsClient(region);
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;

  test('CreateKey makes an enabled symmetric key with a UUID id and this region ARN', async () => {
    const metadata = await newKey({ Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'identity' }] });
    assert.match(metadata.KeyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(metadata.Arn, `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${metadata.KeyId}`);
    assert.equal(metadata.AWSAccountId, ACCOUNT_ID);
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal(metadata.Enabled, true);
    assert.equal(metadata.Description, 'orders');
    assert.equal(metadata.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(metadata.CustomerMasterKeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(metadata.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(metadata.Origin, 'AWS_KMS');
    assert.equal(metadata.KeyManager, 'CUSTOMER');
    assert.deepEqual(metadata.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
    assert.equal(metadata.MultiRegion, false);
    assert.equal(metadata.MultiRegionConfiguration, undefined);
    assert.match(metadata.CurrentKeyMaterialId!, /^[0-9a-f]{64}$/);
    assert.ok(Math.abs(metadata.CreationDate!.getTime() - clock.now()) < 2000);
  });

  test('CreateKey with MultiRegion makes an mrk- primary key', async () => {
    const metadata = await newKey({ MultiRegion: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' });
    assert.match(metadata.KeyId!, /^mrk-[0-9a-f]{32}$/);
    assert.equal(metadata.MultiRegion, true);
    assert.deepEqual(metadata.MultiRegionConfiguration, {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: metadata.Arn, Region: 'us-east-1' },
      ReplicaKeys: [],
    });
  });

  test('CreateKey accepts the deprecated CustomerMasterKeySpec but refuses what it cannot make', async () => {
    assert.equal((await newKey({ CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })).KeySpec, 'SYMMETRIC_DEFAULT');
    await rejectsWith(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })), 'UnsupportedOperationException', { status: 400 });
    await rejectsWith(kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })), 'ValidationException');
    await rejectsWith(kms.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await rejectsWith(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })), 'UnsupportedOperationException');
    await rejectsWith(kms.send(new CreateKeyCommand({ KeySpec: 'NOT_A_SPEC' as 'RSA_2048' })), 'ValidationException', { message: /keySpec/ });
    await rejectsWith(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] })), 'TagException');
    await rejectsWith(kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })), 'ValidationException');
  });

  test('DescribeKey finds a key by id, key ARN, alias name and alias ARN', async () => {
    const metadata = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/describe-me', TargetKeyId: metadata.KeyId }));
    for (const KeyId of [metadata.KeyId!, metadata.Arn!, 'alias/describe-me', `arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/describe-me`]) {
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyId, metadata.KeyId, KeyId);
    }
  });

  test('DescribeKey answers NotFoundException for unknown ids, other regions, other accounts and garbage', async () => {
    const metadata = await newKey();
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), 'NotFoundException', { status: 404, message: /does not exist/ });
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: metadata.Arn!.replace('us-east-1', 'eu-west-1') })), 'NotFoundException');
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: metadata.Arn!.replace(ACCOUNT_ID, '111122223333') })), 'NotFoundException');
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'not a key' })), 'NotFoundException', { message: /Invalid keyId/ });
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nobody' })), 'NotFoundException', { message: /alias\/nobody is not found/ });
  });

  test('ListKeys pages with Limit and Marker through every key', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 5; i += 1) created.add((await newKey()).KeyId!);
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 2, ...(Marker ? { Marker } : {}) }));
      assert.ok(page.Keys!.length <= 2);
      for (const key of page.Keys!) {
        assert.equal(key.KeyArn, `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${key.KeyId}`);
        seen.push(key.KeyId!);
      }
      assert.equal(page.Truncated, page.NextMarker !== undefined);
      Marker = page.NextMarker;
    } while (Marker);
    for (const keyId of created) assert.ok(seen.includes(keyId));
    assert.equal(new Set(seen).size, seen.length, 'no key listed twice');
    await rejectsWith(kms.send(new ListKeysCommand({ Marker: 'garbage' })), 'InvalidMarkerException');
    await rejectsWith(kms.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
  });

  test('DisableKey and EnableKey switch the key state; crypto needs an enabled key', async () => {
    const { KeyId } = await newKey();
    const blob = (await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('before') }))).CiphertextBlob!;
    await kms.send(new DisableKeyCommand({ KeyId }));
    const disabled = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    assert.equal(disabled.KeyState, 'Disabled');
    assert.equal(disabled.Enabled, false);
    await rejectsWith(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })), 'DisabledException', { status: 409, message: /is disabled/ });
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
    await kms.send(new DisableKeyCommand({ KeyId }));
    await kms.send(new EnableKeyCommand({ KeyId }));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'before');
    await rejectsWith(kms.send(new EnableKeyCommand({ KeyId: 'alias/whatever' })), 'NotFoundException', { message: /not an alias/ });
  });

  test('UpdateKeyDescription and tags', async () => {
    const { KeyId } = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] });
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: 'renamed' }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.Description, 'renamed');
    await kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'a', TagValue: 'one' }] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags, [
      { TagKey: 'a', TagValue: 'one' },
      { TagKey: 'b', TagValue: '2' },
    ]);
    await kms.send(new UntagResourceCommand({ KeyId, TagKeys: ['a'] }));
    const page = await kms.send(new ListResourceTagsCommand({ KeyId, Limit: 1 }));
    assert.deepEqual(page.Tags, [{ TagKey: 'b', TagValue: '2' }]);
    assert.equal(page.Truncated, false);
    await rejectsWith(kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'c', TagValue: '1' }, { TagKey: 'c', TagValue: '2' }] })), 'TagException');
  });

  describe('scheduled deletion, with the test clock', () => {
    test('ScheduleKeyDeletion validates the window, makes the key PendingDeletion and unusable', async () => {
      const { KeyId, Arn } = await newKey();
      await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 6 })), 'ValidationException', { message: /pendingWindowInDays/ });
      await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 31 })), 'ValidationException');
      const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId }));
      assert.equal(scheduled.KeyId, Arn);
      assert.equal(scheduled.KeyState, 'PendingDeletion');
      assert.equal(scheduled.PendingWindowInDays, 30);
      assert.ok(Math.abs(scheduled.DeletionDate!.getTime() - (clock.now() + 30 * DAY)) < 2000);
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
      assert.equal(metadata.KeyState, 'PendingDeletion');
      assert.equal(metadata.Enabled, false);
      assert.equal(metadata.DeletionDate!.getTime(), scheduled.DeletionDate!.getTime());
      await rejectsWith(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException', { status: 409, message: /pending deletion/ });
      await rejectsWith(kms.send(new EnableKeyCommand({ KeyId })), 'KMSInvalidStateException');
      await rejectsWith(kms.send(new DisableKeyCommand({ KeyId })), 'KMSInvalidStateException');
      await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId })), 'KMSInvalidStateException');
      await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: KeyId })), 'KMSInvalidStateException');
    });

    test('CancelKeyDeletion leaves the key Disabled; it is refused for a key not pending deletion', async () => {
      const { KeyId, Arn } = await newKey();
      await rejectsWith(kms.send(new CancelKeyDeletionCommand({ KeyId })), 'KMSInvalidStateException');
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
      assert.equal((await kms.send(new CancelKeyDeletionCommand({ KeyId }))).KeyId, Arn);
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
      assert.equal(metadata.KeyState, 'Disabled');
      assert.equal(metadata.DeletionDate, undefined);
      clock.advance(8 * DAY);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState, 'Disabled', 'a cancelled deletion never happens');
    });

    test('a key past its deletion date is deleted when next touched, with its aliases', async () => {
      const { KeyId } = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/soon-gone', TargetKeyId: KeyId }));
      const blob = (await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
      clock.advance(7 * DAY - 60_000);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion', 'not before the date');
      clock.advance(120_000);
      await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId })), 'NotFoundException');
      await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException', { message: /does not exist/ });
      const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!.map((alias) => alias.AliasName);
      assert.ok(!aliases.includes('alias/soon-gone'));
      assert.equal((await kmsOfRegion(region).store.listMaterials(KeyId!)).length, 0, 'material destroyed');
    });

    test('the periodic sweep deletes keys past their date that nobody touches', async () => {
      const { KeyId } = await newKey();
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
      clock.advance(7 * DAY + 1000);
      assert.ok(await kmsOfRegion(region).store.getKey(KeyId!), 'still stored before the sweep');
      await kmsOfRegion(region).keys.sweep();
      assert.equal(await kmsOfRegion(region).store.getKey(KeyId!), null);
      assert.equal((await kmsOfRegion(region).store.listMaterials(KeyId!)).length, 0);
      const listed = (await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((key) => key.KeyId);
      assert.ok(!listed.includes(KeyId));
    });
  });

  test('bad input never reaches a 500', async () => {
    const signedOut = await postAwsJson(region.url, 'TrentService.CreateKey', '{}');
    assert.equal(signedOut.status, 400);
    assert.equal(signedOut.json?.__type, 'UnrecognizedClientException');
    const unknown = await postAwsJson(region.url, 'TrentService.Frobnicate', '{}');
    assert.equal(unknown.json?.__type, 'UnknownOperationException');
  });
});
