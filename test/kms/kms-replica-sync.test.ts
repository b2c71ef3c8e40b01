import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DependencyTimeoutException } from '../../src/kms/errors.ts';
import { KeyService } from '../../src/kms/key-service.ts';
import type { KeyReplicationTarget, ReplicaPayload } from '../../src/kms/replication/replication-target.ts';
import { createKmsStore } from '../../src/store/kms/create-kms-store.ts';
import type { KmsStore } from '../../src/store/kms/kms-store.ts';
import { TestClock } from '../support/region.ts';
import { ROOT_ARN } from './kms-support.ts';

/**
 * Rotation of a multi-Region primary whose replica cannot be reached, driven in-process: two key
 * services on their own stores, joined by a replication target the test can switch off.
 */
describe('replica sync when a replica region is down', () => {
  const clock = new TestClock();
  const folders: string[] = [];
  const stores: KmsStore[] = [];
  let east: KeyService;
  let west: KeyService;
  let westReachable = true;

  const openStore = async (region: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'meridian-kms-sync-'));
    folders.push(dataDir);
    const store = await createKmsStore({ dataDir, region });
    stores.push(store);
    return store;
  };

  before(async () => {
    west = new KeyService({ region: 'eu-west-1', accountId: '000000000000', store: await openStore('eu-west-1'), rootKey: randomBytes(32), now: clock.now });
    const toWest: KeyReplicationTarget = {
      region: 'eu-west-1',
      async send(payload: ReplicaPayload) {
        if (!westReachable) throw new DependencyTimeoutException('eu-west-1 is down');
        return west.acceptReplica('us-east-1', structuredClone(payload));
      },
    };
    east = new KeyService({
      region: 'us-east-1',
      accountId: '000000000000',
      store: await openStore('us-east-1'),
      rootKey: randomBytes(32),
      now: clock.now,
      replicationTargets: (region) => (region === 'eu-west-1' ? toWest : null),
    });
  });
  after(async () => {
    await east.flushAudit();
    await west.flushAudit();
    for (const store of stores) await store.close();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  test('the primary keeps encrypting with the old version until every replica has the new one', async () => {
    const admin = { arn: ROOT_ARN };
    const eastKms = east.asPrincipal(admin);
    const westKms = west.asPrincipal(admin);
    const { KeyMetadata } = await eastKms.createKey({ MultiRegion: true });
    const KeyId = KeyMetadata.KeyId;
    await eastKms.replicateKey({ KeyId, ReplicaRegion: 'eu-west-1' });
    const firstMaterial = KeyMetadata.CurrentKeyMaterialId;

    westReachable = false;
    await eastKms.rotateKeyOnDemand({ KeyId });
    const status = await eastKms.getKeyRotationStatus({ KeyId });
    assert.ok(status.OnDemandRotationStartDate instanceof Date, 'the rotation is in progress');
    assert.equal((await eastKms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId, firstMaterial, 'not switched while the replica lacks it');
    // Whatever the primary encrypts now, the replica can open when it comes back.
    const meanwhile = await eastKms.encrypt({ KeyId, Plaintext: Buffer.from('during the outage') });
    await assert.rejects(eastKms.rotateKeyOnDemand({ KeyId }), (error: Error) => error.name === 'ConflictException');
    await east.sweep();
    assert.equal((await eastKms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId, firstMaterial, 'a sweep while still down changes nothing');

    westReachable = true;
    clock.advance(61_000);
    await east.sweep();
    const secondMaterial = (await eastKms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId;
    assert.notEqual(secondMaterial, firstMaterial, 'switched once the replica acknowledged');
    assert.equal((await westKms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId, secondMaterial);
    assert.equal((await eastKms.getKeyRotationStatus({ KeyId })).OnDemandRotationStartDate, undefined);
    assert.equal((await westKms.decrypt({ CiphertextBlob: meanwhile.CiphertextBlob })).Plaintext.toString(), 'during the outage');
    const after = await eastKms.encrypt({ KeyId, Plaintext: Buffer.from('after') });
    assert.equal((await westKms.decrypt({ CiphertextBlob: after.CiphertextBlob })).KeyMaterialId, secondMaterial);
    assert.deepEqual((await westKms.listKeyRotations({ KeyId })).Rotations.map((entry) => entry.KeyMaterialId), [secondMaterial], 'rotation history is shared');
  });
});
