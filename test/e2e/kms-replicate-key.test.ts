import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { TEST_ADMIN } from '../support/region.ts';
import { freeLoopbackPort, startRegionProcess, type RegionProcess } from '../support/region-process.ts';

/** The credential the two regions share for key replication (docs/KEYS.md, trust model). */
const PEER_CREDENTIAL = { accessKeyId: 'AKIAPEERREPLICATION1', secretAccessKey: 'peer-replication-secret-0123456789abcdef' };

test('ReplicateKey between two region processes: encrypt in one, decrypt in the other with the first stopped', async () => {
  const folders = [mkdtempSync(join(tmpdir(), 'meridian-kms-east-')), mkdtempSync(join(tmpdir(), 'meridian-kms-west-'))];
  const [eastPort, westPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const peers = (name: string, port: number) => JSON.stringify({ [name]: { endpoint: `http://127.0.0.1:${port}`, ...PEER_CREDENTIAL } });
  const started: RegionProcess[] = [];
  after(async () => {
    for (const region of started) await region.stop().catch(() => undefined);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  const east = await startRegionProcess({ dataDir: folders[0]!, region: 'us-east-1', port: eastPort, extraEnv: { MERIDIAN_REGION_PEERS: peers('eu-west-1', westPort) } });
  started.push(east);
  const west = await startRegionProcess({ dataDir: folders[1]!, region: 'eu-west-1', port: westPort, extraEnv: { MERIDIAN_REGION_PEERS: peers('us-east-1', eastPort) } });
  started.push(west);
  const kmsEast = new KMSClient({ region: 'us-east-1', endpoint: east.url, credentials: TEST_ADMIN, maxAttempts: 1 });
  const kmsWest = new KMSClient({ region: 'eu-west-1', endpoint: west.url, credentials: TEST_ADMIN, maxAttempts: 1 });
  try {
    const key = (await kmsEast.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    assert.match(key.KeyId!, /^mrk-/);
    const replica = await kmsEast.send(new ReplicateKeyCommand({ KeyId: key.KeyId!, ReplicaRegion: 'eu-west-1' }));
    assert.equal(replica.ReplicaKeyMetadata?.KeyId, key.KeyId);
    const context = { userPoolId: 'us-east-1_abcdefghi' };
    const { CiphertextBlob } = await kmsEast.send(new EncryptCommand({ KeyId: key.KeyId!, Plaintext: Buffer.from('across regions'), EncryptionContext: context }));

    await east.stop();
    const described = await kmsWest.send(new DescribeKeyCommand({ KeyId: key.KeyId! }));
    assert.equal(described.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, 'REPLICA');
    const opened = await kmsWest.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    assert.equal(Buffer.from(opened.Plaintext!).toString(), 'across regions');
    await assert.rejects(kmsWest.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { userPoolId: 'us-east-1_other0000' } })), { name: 'InvalidCiphertextException' });
  } finally {
    kmsEast.destroy();
    kmsWest.destroy();
  }
});
