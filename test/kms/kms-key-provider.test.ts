import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, PutKeyPolicyCommand, ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import { KeyUnusable } from '../../src/crypto/key-provider.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { ExternalKmsKeyProvider } from '../../src/kms/external-kms-key-provider.ts';
import { freeLoopbackPort } from '../support/region-process.ts';
import { startTestRegion, TEST_ADMIN, TestClock, type TestRegion } from '../support/region.ts';
import { COGNITO, kmsClient, kmsOfRegion, policyWith } from './kms-support.ts';

const DAY = 24 * 60 * 60 * 1000;

/** The key policy docs/KEYS.md recommends for user pools (any pool id of this account's us-east-1). */
const poolPolicy = policyWith(
  {
    Sid: 'Allow Meridian user pools to use the key for their data keys',
    Effect: 'Allow',
    Principal: { Service: COGNITO },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_*' } },
  },
  { Sid: 'Allow Meridian user pools to describe the key', Effect: 'Allow', Principal: { Service: COGNITO }, Action: 'kms:DescribeKey', Resource: '*' },
);

async function rejectsUnusable(promise: Promise<unknown>, reason: RegExp, reference: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KeyUnusable, `expected KeyUnusable, got ${(error as Error).name}: ${(error as Error).message}`);
    assert.equal(error.keyReference, reference);
    assert.match(error.reason, reason);
    return true;
  });
}

describe('KmsKeyProvider: pool data keys under a customer key of the built-in KMS', () => {
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

  test('without a grant in the key policy the key is unusable, with a clear reason', async () => {
    const { Arn } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const provider = kmsOfRegion(region).keyProvider(Arn!);
    assert.equal(provider.reference, Arn);
    await rejectsUnusable(provider.generateDataKey({ userPoolId: 'us-east-1_nogrant' }), /key policy does not allow cognito-idp\.amazonaws\.com/, Arn!);
  });

  test('with the recommended policy: generate, unwrap, and the context binds the pool', async () => {
    const { Arn } = (await kms.send(new CreateKeyCommand({ Policy: poolPolicy }))).KeyMetadata!;
    const provider = kmsOfRegion(region).keyProvider(Arn!);
    const { plaintext, wrapped } = await provider.generateDataKey({ userPoolId: 'us-east-1_alpha' });
    assert.equal(plaintext.length, 32);
    assert.deepEqual(await provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_alpha' }), plaintext);
    await rejectsUnusable(provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_beta' }), /does not open/, Arn!);
    await rejectsUnusable(provider.unwrapDataKey(wrapped, { userPoolId: 'eu-west-1_alpha' }), /key policy/, Arn!);
    const events = (await kmsOfRegion(region).keys.asPrincipal({ arn: `arn:aws:iam::000000000000:root` }).listAuditEvents({ KeyId: Arn! })).Events;
    assert.ok(events.some((event) => event.Principal === COGNITO && event.Action === 'GenerateDataKey' && event.EncryptionContext?.userPoolId === 'us-east-1_alpha'));
  });

  test('through PoolVault: disabling, then scheduling deletion, then deleting the key make the pool unreadable', async () => {
    const { KeyId, Arn } = (await kms.send(new CreateKeyCommand({ Policy: poolPolicy }))).KeyMetadata!;
    const resolve = (reference: string) => kmsOfRegion(region).keyProvider(reference);
    // No caching, so every read goes to the KMS.
    const vault = new PoolVault(region.region.store, new DataKeyCache(resolve, { ttlMs: 0 }));
    const poolId = `us-east-1_kms${Date.now() % 100000}`;
    await vault.createPool(poolId, resolve(Arn!), async (records) => records.put('note', 'n1', { text: 'under a customer key' }, []));
    assert.equal((await region.region.store.getPool(poolId))?.keyReference, Arn);
    // KMS calls made inside a pool transaction (createPool above unwrapped its key in one, the cache
    // being off) must not wait for the pool store's lock: the KMS has its own SQLite file.
    const started = Date.now();
    const entry = (await region.region.store.getPool(poolId))!;
    await region.region.store.transaction(poolId, async () => resolve(Arn!).unwrapDataKey(entry.wrappedDataKey, { userPoolId: poolId }));
    assert.ok(Date.now() - started < 2000, `a KMS call inside a pool transaction took ${Date.now() - started} ms`);
    assert.deepEqual(await vault.read(poolId, (records) => records.get('note', 'n1')), { text: 'under a customer key' });

    await kms.send(new DisableKeyCommand({ KeyId }));
    await rejectsUnusable(vault.read(poolId, (records) => records.get('note', 'n1')), /disabled/, Arn!);
    await kms.send(new EnableKeyCommand({ KeyId }));
    assert.deepEqual(await vault.read(poolId, (records) => records.get('note', 'n1')), { text: 'under a customer key' });

    await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    await rejectsUnusable(vault.read(poolId, (records) => records.get('note', 'n1')), /pending deletion/, Arn!);
    clock.advance(8 * DAY);
    await rejectsUnusable(vault.read(poolId, (records) => records.get('note', 'n1')), /does not exist/, Arn!);
  });
});

describe('ExternalKmsKeyProvider: pool data keys in another KMS through @aws-sdk/client-kms', () => {
  let external: TestRegion;
  let kms: KMSClient;
  before(async () => {
    external = await startTestRegion({ region: 'eu-central-1' });
    kms = kmsClient(external, TEST_ADMIN, 'eu-central-1');
  });
  after(async () => {
    kms.destroy();
    await external.stop();
  });

  test('generate and unwrap against the external endpoint; errors become KeyUnusable', async () => {
    const { KeyId, Arn } = (await kms.send(new CreateKeyCommand({ Description: 'external pool key' }))).KeyMetadata!;
    const provider = ExternalKmsKeyProvider.connect(Arn!, { endpoint: external.url, credentials: TEST_ADMIN, maxAttempts: 1 });
    try {
      assert.equal(provider.reference, Arn);
      const { plaintext, wrapped } = await provider.generateDataKey({ userPoolId: 'us-east-1_ext' });
      assert.equal(plaintext.length, 32);
      assert.deepEqual(await provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_ext' }), plaintext);
      await rejectsUnusable(provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_other' }), /does not open/, Arn!);

      await kms.send(new DisableKeyCommand({ KeyId }));
      await rejectsUnusable(provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_ext' }), /disabled/, Arn!);
      await kms.send(new EnableKeyCommand({ KeyId }));
      // A policy that leaves the caller nothing but policy management.
      await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: ['kms:PutKeyPolicy'], Resource: '*' }] }) }));
      await rejectsUnusable(provider.generateDataKey({ userPoolId: 'us-east-1_ext' }), /key policy/, Arn!);
    } finally {
      provider.destroy();
    }

    const wrongCredentials = ExternalKmsKeyProvider.connect(Arn!, { endpoint: external.url, credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    await rejectsUnusable(wrongCredentials.generateDataKey({ userPoolId: 'us-east-1_ext' }), /credentials/, Arn!);
    wrongCredentials.destroy();

    const unreachable = ExternalKmsKeyProvider.connect(Arn!, { endpoint: `http://127.0.0.1:${await freeLoopbackPort()}`, credentials: TEST_ADMIN, maxAttempts: 1 });
    await rejectsUnusable(unreachable.generateDataKey({ userPoolId: 'us-east-1_ext' }), /could not be reached/, Arn!);
    unreachable.destroy();
  });
});
