import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DecryptionFailed } from '../../src/crypto/aes-gcm.ts';
import { parseRegionPeers, peerByAccessKeyId } from '../../src/kms/replication/region-peers.ts';
import { fromMessage, toMessage } from '../../src/kms/replication/replica-message.ts';
import type { ReplicaPayload } from '../../src/kms/replication/replication-target.ts';
import { unwrapFromTransport, wrapForTransport } from '../../src/kms/replication/transport-wrapping.ts';

const SECRET = 'pair-secret-0123456789abcdef0123456789';
const ADDRESS = { sourceRegion: 'us-east-1', targetRegion: 'eu-west-1', keyId: `mrk-${'a'.repeat(32)}`, version: 1, materialId: 'm1' };

test('transport wrapping opens only with the pair secret, direction, key, version and material id it was made for', () => {
  const material = randomBytes(32);
  const wrapped = wrapForTransport(SECRET, ADDRESS, material);
  assert.deepEqual(unwrapFromTransport(SECRET, ADDRESS, wrapped), material);
  for (const changed of [
    { ...ADDRESS, sourceRegion: 'eu-west-1', targetRegion: 'us-east-1' },
    { ...ADDRESS, keyId: `mrk-${'b'.repeat(32)}` },
    { ...ADDRESS, version: 2 },
    { ...ADDRESS, materialId: 'm2' },
  ]) {
    assert.throws(() => unwrapFromTransport(SECRET, changed, wrapped), DecryptionFailed);
  }
  assert.throws(() => unwrapFromTransport(`${SECRET}x`, ADDRESS, wrapped), DecryptionFailed);
});

test('a replica message carries the material only wrapped', () => {
  const material = randomBytes(32);
  const payload: ReplicaPayload = {
    kind: 'sync',
    shared: {
      keyId: ADDRESS.keyId,
      primaryRegion: 'us-east-1',
      replicaRegions: ['eu-west-1'],
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      rotation: { enabled: false, periodInDays: 365, nextRotationDate: null, history: [] },
      currentVersion: 1,
      currentMaterialId: 'm1',
      materials: [{ version: 1, materialId: 'm1', createdAt: 1, material }],
    },
  };
  const message = toMessage(payload, 'us-east-1', 'eu-west-1', SECRET);
  const json = JSON.stringify(message);
  for (const form of [material.toString('base64'), material.toString('hex'), material.toString('base64url')]) assert.ok(!json.includes(form));
  const received = fromMessage(JSON.parse(json), SECRET);
  assert.deepEqual(received.shared.materials[0]!.material, material);
  assert.throws(() => fromMessage({ ...message, targetRegion: 'ap-south-1' }, SECRET), DecryptionFailed);
});

test('region peers parse from JSON and are found by their shared access key id', () => {
  assert.deepEqual(parseRegionPeers(undefined), {});
  const peers = parseRegionPeers(JSON.stringify({ 'eu-west-1': { endpoint: 'https://eu.example', accessKeyId: 'AKIAPAIR000000000001', secretAccessKey: SECRET } }));
  assert.equal(peerByAccessKeyId(peers, 'AKIAPAIR000000000001')?.region, 'eu-west-1');
  assert.equal(peerByAccessKeyId(peers, 'AKIAOTHER00000000001'), null);
  assert.throws(() => parseRegionPeers(JSON.stringify({ 'not a region': { endpoint: 'https://x.example', accessKeyId: 'AKIAPAIR000000000001', secretAccessKey: SECRET } })));
  assert.throws(() => parseRegionPeers(JSON.stringify({ 'eu-west-1': { endpoint: 'https://eu.example', accessKeyId: 'AKIAPAIR000000000001', secretAccessKey: 'short' } })));
});
