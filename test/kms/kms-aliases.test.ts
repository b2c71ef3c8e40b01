import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, EncryptCommand, ListAliasesCommand, UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import { startTestRegion, type TestRegion } from '../support/region.ts';
import { ACCOUNT_ID, kmsClient, rejectsWith } from './kms-support.ts';

describe('KMS aliases over the AWS SDK', () => {
  let region: TestRegion;
  let kms: KMSClient;
  before(async () => {
    region = await startTestRegion();
    kms = kmsClient(region);
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  const newKeyId = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;

  test('CreateAlias, ListAliases (all and per key), UpdateAlias, DeleteAlias', async () => {
    const first = await newKeyId();
    const second = await newKeyId();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app/orders', TargetKeyId: first }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app/users', TargetKeyId: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${first}` }));

    const ofFirst = (await kms.send(new ListAliasesCommand({ KeyId: first }))).Aliases!;
    assert.deepEqual(
      ofFirst.map((alias) => [alias.AliasName, alias.AliasArn, alias.TargetKeyId]),
      [
        ['alias/app/orders', `arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/app/orders`, first],
        ['alias/app/users', `arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/app/users`, first],
      ],
    );
    assert.ok(ofFirst[0]!.CreationDate instanceof Date && ofFirst[0]!.LastUpdatedDate instanceof Date);

    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/app/orders', TargetKeyId: second }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/app/orders' }))).KeyMetadata!.KeyId, second);
    assert.equal((await kms.send(new EncryptCommand({ KeyId: 'alias/app/orders', Plaintext: Buffer.from('x') }))).KeyId, `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${second}`);

    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/app/orders' }));
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/app/orders' })), 'NotFoundException');
    assert.deepEqual((await kms.send(new ListAliasesCommand({ KeyId: second }))).Aliases, []);
  });

  test('ListAliases pages', async () => {
    const keyId = await newKeyId();
    for (const name of ['p1', 'p2', 'p3']) await kms.send(new CreateAliasCommand({ AliasName: `alias/paging-${name}`, TargetKeyId: keyId }));
    const first = await kms.send(new ListAliasesCommand({ KeyId: keyId, Limit: 2 }));
    assert.equal(first.Aliases!.length, 2);
    assert.equal(first.Truncated, true);
    const rest = await kms.send(new ListAliasesCommand({ KeyId: keyId, Limit: 2, Marker: first.NextMarker }));
    assert.deepEqual(rest.Aliases!.map((alias) => alias.AliasName), ['alias/paging-p3']);
    assert.equal(rest.Truncated, false);
  });

  test('alias errors: taken, badly named, reserved, unknown, alias as target', async () => {
    const keyId = await newKeyId();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: keyId }));
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: keyId })), 'AlreadyExistsException', { status: 409, message: /alias\/taken already exists/ });
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: keyId })), 'InvalidAliasNameException', { message: /alias\// });
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/has space', TargetKeyId: keyId })), 'InvalidAliasNameException');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: keyId })), 'InvalidAliasNameException', { message: /reserved/ });
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: 'alias/taken' })), 'NotFoundException');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: '00000000-0000-4000-8000-000000000000' })), 'NotFoundException');
    await rejectsWith(kms.send(new DeleteAliasCommand({ AliasName: 'alias/never' })), 'NotFoundException');
    await rejectsWith(kms.send(new UpdateAliasCommand({ AliasName: 'alias/never', TargetKeyId: keyId })), 'NotFoundException');
  });
});
