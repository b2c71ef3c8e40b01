import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { freeLoopbackPort } from '../support/region-process.ts';
import { startTestRegion, TEST_ADMIN, type TestRegion } from '../support/region.ts';
import { ACCOUNT_ID, kmsClient, kmsOfRegion, policyWith, rejectsWith, ROOT_ARN } from './kms-support.ts';

/** The credential us-east-1 and eu-west-1 share for region-to-region calls (both list it). */
const PAIR = { accessKeyId: 'AKIAPEERUSE1EUW1000', secretAccessKey: 'peer-secret-us-east-1-eu-west-1-0123456789' };

/** Two in-process regions, each with its own data directory, configured as each other's peers. */
async function startPeerRegions(): Promise<{ east: TestRegion; west: TestRegion; deadPort: number }> {
  const [eastPort, westPort, deadPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const east = await startTestRegion({
    region: 'us-east-1',
    port: eastPort,
    regionPeers: {
      'eu-west-1': { endpoint: `http://127.0.0.1:${westPort}`, ...PAIR },
      // Listed but never started: a peer that cannot be reached.
      'ap-south-1': { endpoint: `http://127.0.0.1:${deadPort}`, accessKeyId: 'AKIAPEERUSE1APS1000', secretAccessKey: 'peer-secret-us-east-1-ap-south-1-0123456789' },
    },
  });
  const west = await startTestRegion({ region: 'eu-west-1', port: westPort, regionPeers: { 'us-east-1': { endpoint: `http://127.0.0.1:${eastPort}`, ...PAIR } } });
  return { east, west, deadPort };
}

describe('ReplicateKey between two regions', () => {
  let east: TestRegion;
  let west: TestRegion;
  let eastKms: KMSClient;
  let westKms: KMSClient;
  before(async () => {
    ({ east, west } = await startPeerRegions());
    eastKms = kmsClient(east);
    westKms = kmsClient(west, TEST_ADMIN, 'eu-west-1');
  });
  after(async () => {
    eastKms.destroy();
    westKms.destroy();
    await east.stop();
    await west.stop();
  });

  const newMultiRegionKey = async () => (await eastKms.send(new CreateKeyCommand({ MultiRegion: true, Description: 'pools' }))).KeyMetadata!;

  test('the replica has the same key id in its own region, its own policy and state', async () => {
    const primary = await newMultiRegionKey();
    const replicaPolicy = policyWith({ Sid: 'west only', Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' });
    const result = await eastKms.send(
      new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Policy: replicaPolicy, Description: 'west replica', Tags: [{ TagKey: 'region', TagValue: 'west' }] }),
    );
    const replica = result.ReplicaKeyMetadata!;
    assert.equal(replica.KeyId, primary.KeyId);
    assert.equal(replica.Arn, `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/${primary.KeyId}`);
    assert.equal(replica.KeyState, 'Enabled');
    assert.equal(replica.Description, 'west replica');
    assert.equal(replica.MultiRegion, true);
    assert.equal(replica.CurrentKeyMaterialId, primary.CurrentKeyMaterialId);
    assert.deepEqual(replica.MultiRegionConfiguration, {
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replica.Arn, Region: 'eu-west-1' }],
    });
    assert.equal(result.ReplicaPolicy, replicaPolicy);
    assert.deepEqual(result.ReplicaTags, [{ TagKey: 'region', TagValue: 'west' }]);

    const described = (await westKms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
    assert.equal(described.Arn, replica.Arn);
    assert.equal(described.MultiRegionConfiguration!.MultiRegionKeyType, 'REPLICA');
    assert.equal((await westKms.send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy, replicaPolicy);
    assert.notEqual((await eastKms.send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy, replicaPolicy, 'policies are per region');
    const primaryNow = (await eastKms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
    assert.deepEqual(primaryNow.MultiRegionConfiguration!.ReplicaKeys, [{ Arn: replica.Arn, Region: 'eu-west-1' }]);

    // Independent state and aliases.
    await westKms.send(new CreateAliasCommand({ AliasName: 'alias/west-only', TargetKeyId: primary.KeyId }));
    assert.ok(!(await eastKms.send(new ListAliasesCommand({ KeyId: primary.KeyId }))).Aliases!.some((alias) => alias.AliasName === 'alias/west-only'));
    await westKms.send(new DisableKeyCommand({ KeyId: primary.KeyId }));
    assert.equal((await eastKms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
    await eastKms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('still fine in the east') }));
    await rejectsWith(westKms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('x') })), 'DisabledException');
  });

  test('ciphertexts cross regions both ways; rotation at the primary reaches the replica', async () => {
    const primary = await newMultiRegionKey();
    await eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
    const context = { userPoolId: 'us-east-1_multi' };
    const fromEast = await eastKms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('east'), EncryptionContext: context }));
    const fromWest = await westKms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('west'), EncryptionContext: context }));
    assert.equal(Buffer.from((await westKms.send(new DecryptCommand({ CiphertextBlob: fromEast.CiphertextBlob, EncryptionContext: context }))).Plaintext!).toString(), 'east');
    assert.equal(Buffer.from((await eastKms.send(new DecryptCommand({ CiphertextBlob: fromWest.CiphertextBlob, EncryptionContext: context }))).Plaintext!).toString(), 'west');

    await eastKms.send(new RotateKeyOnDemandCommand({ KeyId: primary.KeyId }));
    const eastMaterial = (await eastKms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    assert.notEqual(eastMaterial, primary.CurrentKeyMaterialId);
    assert.equal((await westKms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.CurrentKeyMaterialId, eastMaterial);
    const rotated = await eastKms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('after rotation'), EncryptionContext: context }));
    assert.equal(Buffer.from((await westKms.send(new DecryptCommand({ CiphertextBlob: rotated.CiphertextBlob, EncryptionContext: context }))).Plaintext!).toString(), 'after rotation');
    assert.equal(Buffer.from((await westKms.send(new DecryptCommand({ CiphertextBlob: fromEast.CiphertextBlob, EncryptionContext: context }))).Plaintext!).toString(), 'east');
    await rejectsWith(westKms.send(new RotateKeyOnDemandCommand({ KeyId: primary.KeyId })), 'UnsupportedOperationException', { message: /replica/ });
  });

  test('a replicated pool unwraps its data key in the replica region through KmsKeyProvider', async () => {
    const policy = policyWith({
      Effect: 'Allow',
      Principal: { Service: 'cognito-idp.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_*' } },
    });
    const primary = (await eastKms.send(new CreateKeyCommand({ MultiRegion: true, Policy: policy }))).KeyMetadata!;
    await eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Policy: policy }));
    // The pool record (replicated as stored) names the key by its us-east-1 ARN in both regions.
    const { plaintext, wrapped } = await kmsOfRegion(east).keyProvider(primary.Arn!).generateDataKey({ userPoolId: 'us-east-1_global' });
    const westProvider = kmsOfRegion(west).keyProvider(primary.Arn!);
    assert.equal(westProvider.reference, primary.Arn);
    assert.deepEqual(await westProvider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_global' }), plaintext);
  });

  test('ReplicateKey errors', async () => {
    const regional = (await eastKms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: regional.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException', { message: /not a multi-Region key/ });
    const primary = await newMultiRegionKey();
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1' })), 'ValidationException');
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'sa-east-1' })), 'UnsupportedOperationException', { message: /not a peer/ });
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'not a region' })), 'ValidationException');
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'ap-south-1' })), 'DependencyTimeoutException', { status: 503 });
    await rejectsWith(
      eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:Decrypt', Resource: '*' }] }) })),
      'MalformedPolicyDocumentException',
      { message: /update the key policy/ },
    );
    await eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
    await rejectsWith(eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' })), 'AlreadyExistsException', { status: 409 });
    await rejectsWith(westKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1' })), 'UnsupportedOperationException', { message: /replica key/ });
  });

  test('the replica endpoint accepts only a peer credential, never the admin one or none', async () => {
    const url = new URL('/internal/kms/replicas', west.url);
    const body = JSON.stringify({ sourceRegion: 'us-east-1', targetRegion: 'eu-west-1', kind: 'sync', shared: {} });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(unsigned.status, 400);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'UnrecognizedClientException');
    const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'eu-west-1', service: 'kms', sha256: Sha256 });
    const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'content-type': 'application/json' }, body }));
    const { host: _host, ...headers } = signed.headers as Record<string, string>;
    const asAdmin = await fetch(url, { method: 'POST', headers, body });
    assert.equal(((await asAdmin.json()) as { __type: string }).__type, 'UnrecognizedClientException');
    // And the peer credential is no admin credential.
    const peerAsAdmin = kmsClient(west, PAIR, 'eu-west-1');
    await rejectsWith(peerAsAdmin.send(new CreateKeyCommand({})), 'UnrecognizedClientException');
    peerAsAdmin.destroy();
  });
});

describe('a replica works with its primary region down', () => {
  test('encrypt and generate a data key in us-east-1, stop it, decrypt in eu-west-1', async () => {
    const { east, west } = await startPeerRegions();
    const eastKms = kmsClient(east);
    const westKms = kmsClient(west, TEST_ADMIN, 'eu-west-1');
    try {
      const primary = (await eastKms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      await eastKms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
      const context = { userPoolId: 'us-east-1_failover' };
      const secret = await eastKms.send(new EncryptCommand({ KeyId: primary.Arn, Plaintext: Buffer.from('survives the region'), EncryptionContext: context }));
      const dataKey = await eastKms.send(new GenerateDataKeyCommand({ KeyId: primary.Arn, KeySpec: 'AES_256', EncryptionContext: context }));
      eastKms.destroy();
      await east.stop();
      const health = await fetch(`${east.url}/health`).then(() => 'up', () => 'down');
      assert.equal(health, 'down', 'us-east-1 is really gone');

      const opened = await westKms.send(new DecryptCommand({ CiphertextBlob: secret.CiphertextBlob, EncryptionContext: context }));
      assert.equal(Buffer.from(opened.Plaintext!).toString(), 'survives the region');
      assert.equal(opened.KeyId, `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/${primary.KeyId}`);
      const unwrapped = await westKms.send(new DecryptCommand({ KeyId: primary.KeyId, CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
      assert.deepEqual(Buffer.from(unwrapped.Plaintext!), Buffer.from(dataKey.Plaintext!));
    } finally {
      westKms.destroy();
      await east.stop().catch(() => undefined);
      await west.stop();
    }
  });
});
