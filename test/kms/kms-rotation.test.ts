import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { startTestRegion, TestClock, type TestRegion } from '../support/region.ts';
import { kmsClient, kmsOfRegion, rejectsWith } from './kms-support.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('KMS key rotation', () => {
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

  const newKeyId = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const decrypt = async (CiphertextBlob: Uint8Array, EncryptionContext?: Record<string, string>) =>
    kms.send(new DecryptCommand({ CiphertextBlob, ...(EncryptionContext ? { EncryptionContext } : {}) }));

  test('RotateKeyOnDemand: new material for new ciphertexts, old ciphertexts still decrypt', async () => {
    const KeyId = await newKeyId();
    const before = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('sealed before'), EncryptionContext: { n: '1' } }));
    const firstMaterial = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
    assert.equal((await kms.send(new RotateKeyOnDemandCommand({ KeyId }))).KeyId, (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.Arn);
    const secondMaterial = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
    assert.notEqual(secondMaterial, firstMaterial);

    const after = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('sealed after') }));
    const oldOpened = await decrypt(before.CiphertextBlob!, { n: '1' });
    assert.equal(Buffer.from(oldOpened.Plaintext!).toString(), 'sealed before');
    assert.equal(oldOpened.KeyMaterialId, firstMaterial);
    const newOpened = await decrypt(after.CiphertextBlob!);
    assert.equal(Buffer.from(newOpened.Plaintext!).toString(), 'sealed after');
    assert.equal(newOpened.KeyMaterialId, secondMaterial);

    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    assert.equal(Buffer.from((await decrypt(before.CiphertextBlob!, { n: '1' })).Plaintext!).toString(), 'sealed before', 'two rotations later');

    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId }));
    assert.deepEqual(rotations.Rotations!.map((entry) => entry.RotationType), ['ON_DEMAND', 'ON_DEMAND']);
    assert.equal(rotations.Rotations![0]!.KeyMaterialId, secondMaterial);
    const paged = await kms.send(new ListKeyRotationsCommand({ KeyId, Limit: 1 }));
    assert.equal(paged.Truncated, true);
    assert.equal((await kms.send(new ListKeyRotationsCommand({ KeyId, Limit: 1, Marker: paged.NextMarker }))).Rotations!.length, 1);
  });

  test('EnableKeyRotation, GetKeyRotationStatus, DisableKeyRotation', async () => {
    const KeyId = await newKeyId();
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);
    await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 90);
    assert.ok(Math.abs(status.NextRotationDate!.getTime() - (clock.now() + 90 * DAY)) < 2000);
    await kms.send(new DisableKeyRotationCommand({ KeyId }));
    const disabled = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    assert.equal(disabled.KeyRotationEnabled, false);
    assert.equal(disabled.NextRotationDate, undefined);
    await rejectsWith(kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 89 })), 'ValidationException');
    await rejectsWith(kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 2561 })), 'ValidationException');
  });

  test('automatic rotation happens when the period has passed (test clock + scheduler)', async () => {
    const KeyId = await newKeyId();
    const sealed = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('long-lived') }));
    await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    const firstMaterial = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    clock.advance(89 * DAY);
    await kmsOfRegion(region).keys.sweep();
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId, firstMaterial, 'not yet');
    clock.advance(2 * DAY);
    await kmsOfRegion(region).keys.sweep();
    assert.notEqual((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId, firstMaterial);
    const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId }))).Rotations!;
    assert.deepEqual(rotations.map((entry) => entry.RotationType), ['AUTOMATIC']);
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    assert.ok(Math.abs(status.NextRotationDate!.getTime() - (clock.now() + 90 * DAY)) < 2000, 'the next rotation is a period later');
    assert.equal(Buffer.from((await decrypt(sealed.CiphertextBlob!)).Plaintext!).toString(), 'long-lived');
  });

  test('a disabled key is not rotated, and rotation calls on it are DisabledException', async () => {
    const KeyId = await newKeyId();
    await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    await kms.send(new DisableKeyCommand({ KeyId }));
    await rejectsWith(kms.send(new RotateKeyOnDemandCommand({ KeyId })), 'DisabledException');
    await rejectsWith(kms.send(new EnableKeyRotationCommand({ KeyId })), 'DisabledException');
    const material = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    clock.advance(91 * DAY);
    await kmsOfRegion(region).keys.sweep();
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId, material);
    // Enabled again and overdue: the next pass rotates it.
    await kms.send(new EnableKeyCommand({ KeyId }));
    await kmsOfRegion(region).keys.sweep();
    assert.notEqual((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId, material);
  });
});
