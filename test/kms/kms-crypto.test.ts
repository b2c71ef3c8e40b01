import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  DescribeKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { postAwsJson, startTestRegion, TEST_ADMIN, type TestRegion } from '../support/region.ts';
import { ACCOUNT_ID, kmsClient, rejectsWith } from './kms-support.ts';

describe('KMS cryptographic operations over the AWS SDK', () => {
  let region: TestRegion;
  let kms: KMSClient;
  let keyId: string;
  let keyArn: string;
  before(async () => {
    region = await startTestRegion();
    kms = kmsClient(region);
    const metadata = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    keyId = metadata.KeyId!;
    keyArn = metadata.Arn!;
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  const encrypt = (Plaintext: Uint8Array, EncryptionContext?: Record<string, string>, KeyId = keyId) =>
    kms.send(new EncryptCommand({ KeyId, Plaintext, ...(EncryptionContext ? { EncryptionContext } : {}) }));
  const decryptText = async (CiphertextBlob: Uint8Array, EncryptionContext?: Record<string, string>) =>
    Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob, ...(EncryptionContext ? { EncryptionContext } : {}) }))).Plaintext!).toString();

  test('Encrypt then Decrypt without KeyId: the blob names its key', async () => {
    const encrypted = await encrypt(Buffer.from('attack at dawn'), { userPoolId: 'us-east-1_abc', purpose: 'test' });
    assert.equal(encrypted.KeyId, keyArn);
    assert.equal(encrypted.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.ok(!Buffer.from(encrypted.CiphertextBlob!).includes(Buffer.from('attack at dawn')));
    // The context is a map: its order does not matter.
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: 'test', userPoolId: 'us-east-1_abc' } }));
    assert.equal(Buffer.from(decrypted.Plaintext!).toString(), 'attack at dawn');
    assert.equal(decrypted.KeyId, keyArn);
    assert.equal(decrypted.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.match(decrypted.KeyMaterialId!, /^[0-9a-f]{64}$/);
    // With KeyId as id, ARN or alias.
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/crypto', TargetKeyId: keyId }));
    for (const KeyId of [keyId, keyArn, 'alias/crypto']) {
      const result = await kms.send(new DecryptCommand({ KeyId, CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { userPoolId: 'us-east-1_abc', purpose: 'test' } }));
      assert.equal(Buffer.from(result.Plaintext!).toString(), 'attack at dawn');
    }
  });

  test('a different, missing or extra encryption context is InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await encrypt(Buffer.from('bound'), { userPoolId: 'us-east-1_a' });
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { userPoolId: 'us-east-1_b' } })), 'InvalidCiphertextException', { status: 400 });
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob })), 'InvalidCiphertextException');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { userPoolId: 'us-east-1_a', extra: 'x' } })), 'InvalidCiphertextException');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { USERPOOLID: 'us-east-1_a' } })), 'InvalidCiphertextException');
    assert.equal(await decryptText(CiphertextBlob!, { userPoolId: 'us-east-1_a' }), 'bound');
  });

  test('tampered, truncated or foreign ciphertexts are InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await encrypt(Buffer.from('integrity'));
    const blob = Buffer.from(CiphertextBlob!);
    for (const index of [blob.length - 1, blob.length - 20, 45, 60]) {
      const tampered = Buffer.from(blob);
      tampered[index]! ^= 0x01;
      await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException');
    }
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 50) })), 'InvalidCiphertextException');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a kms ciphertext at all, not at all') })), 'InvalidCiphertextException');
    // A material version the key never had.
    const versionless = Buffer.from(blob);
    versionless.writeUInt32BE(99, 2 + blob[1]!);
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: versionless })), 'InvalidCiphertextException');
  });

  test('Decrypt with the KeyId of another key is IncorrectKeyException', async () => {
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await encrypt(Buffer.from('mine'));
    await rejectsWith(kms.send(new DecryptCommand({ KeyId: other, CiphertextBlob })), 'IncorrectKeyException', { status: 400 });
  });

  test('plaintext limits and algorithms', async () => {
    assert.equal(await decryptText((await encrypt(Buffer.alloc(4096, 7))).CiphertextBlob!), Buffer.alloc(4096, 7).toString());
    await rejectsWith(encrypt(Buffer.alloc(4097)), 'ValidationException', { message: /4096/ });
    await rejectsWith(encrypt(Buffer.alloc(0)), 'ValidationException');
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'InvalidKeyUsageException');
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'ROT13' as 'SYMMETRIC_DEFAULT' })), 'ValidationException');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(6145, 1) })), 'ValidationException');
  });

  test('GenerateDataKey: AES_256, AES_128, NumberOfBytes; the blob decrypts to the plaintext', async () => {
    for (const [input, length] of [
      [{ KeySpec: 'AES_256' as const }, 32],
      [{ KeySpec: 'AES_128' as const }, 16],
      [{ NumberOfBytes: 64 }, 64],
      [{ NumberOfBytes: 1 }, 1],
    ] as const) {
      const result = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, EncryptionContext: { userPoolId: 'p' }, ...input }));
      assert.equal(result.Plaintext!.length, length);
      assert.equal(result.KeyId, keyArn);
      assert.match(result.KeyMaterialId!, /^[0-9a-f]{64}$/);
      const opened = await kms.send(new DecryptCommand({ CiphertextBlob: result.CiphertextBlob, EncryptionContext: { userPoolId: 'p' } }));
      assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(result.Plaintext!));
    }
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException', { message: /KeySpec or NumberOfBytes/ });
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })), 'ValidationException');
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_512' as 'AES_256' })), 'ValidationException');
  });

  test('GenerateDataKeyWithoutPlaintext returns only the blob, which Decrypt opens', async () => {
    const result = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { k: 'v' } }));
    assert.equal((result as { Plaintext?: unknown }).Plaintext, undefined);
    assert.equal(result.KeyId, keyArn);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: result.CiphertextBlob, EncryptionContext: { k: 'v' } }));
    assert.equal(opened.Plaintext!.length, 32);
  });

  test('ReEncrypt moves a ciphertext to another key and context without returning the plaintext', async () => {
    const destination = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { CiphertextBlob } = await encrypt(Buffer.from('moving'), { from: 'a' });
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { from: 'a' }, DestinationKeyId: destination.KeyId, DestinationEncryptionContext: { to: 'b' } }));
    assert.equal(moved.SourceKeyId, keyArn);
    assert.equal(moved.KeyId, destination.Arn);
    assert.equal(moved.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.equal((moved as { Plaintext?: unknown }).Plaintext, undefined);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { to: 'b' } }));
    assert.equal(Buffer.from(opened.Plaintext!).toString(), 'moving');
    assert.equal(opened.KeyId, destination.Arn);
    await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { from: 'x' }, DestinationKeyId: destination.KeyId })), 'InvalidCiphertextException');
    await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { from: 'a' }, DestinationKeyId: 'alias/none' })), 'NotFoundException');
  });

  test('a key pending deletion refuses cryptography with KMSInvalidStateException', async () => {
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await encrypt(Buffer.from('x'), undefined, doomed);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: doomed }))).KeyMetadata!;
    assert.equal(described.KeyState, 'PendingDeletion');
    assert.ok(described.DeletionDate instanceof Date);
    assert.equal(described.PendingDeletionWindowInDays, undefined, 'KMS sends it only in PendingReplicaDeletion');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException', { status: 409 });
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: doomed, KeySpec: 'AES_256' })), 'KMSInvalidStateException');
  });

  test('DryRun and Recipient are refused rather than ignored', async () => {
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), DryRun: true })), 'UnsupportedOperationException');
  });

  test('malformed requests are 4xx in KMS terms, never 500', async () => {
    const sign = async (target: string, body: string) => {
      const url = new URL(region.url);
      const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'kms', sha256: Sha256, uriEscapePath: true });
      const signed = await signer.sign(
        new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body }),
      );
      const { host: _host, ...headers } = signed.headers as Record<string, string>;
      return postAwsJson(region.url, target, body, headers);
    };
    for (const [target, body, type] of [
      ['TrentService.Encrypt', '{"KeyId":"x","Plaintext":"%%%not base64"}', 'ValidationException'],
      ['TrentService.Encrypt', '{"KeyId":5,"Plaintext":"aGk="}', 'ValidationException'],
      ['TrentService.Decrypt', '{"CiphertextBlob":[1,2,3]}', 'ValidationException'],
      ['TrentService.Decrypt', '{not json', 'SerializationException'],
      ['TrentService.GenerateDataKey', '{"KeyId":"x","NumberOfBytes":"32"}', 'ValidationException'],
      ['TrentService.ListKeys', '{"Limit":1.5}', 'ValidationException'],
      ['TrentService.PutKeyPolicy', `{"KeyId":"${keyId}","Policy":"{"}`, 'MalformedPolicyDocumentException'],
      ['TrentService.ListAuditEvents', '{"Since":"yesterday"}', 'ValidationException'],
    ] as const) {
      const response = await sign(target, body);
      assert.equal(response.status, 400, `${target} ${body}: ${response.text}`);
      assert.equal(response.json?.__type, type, `${target} ${body}`);
    }
    const wrongService = await postAwsJson(region.url, 'TrentService.ListKeys', '{}', {
      authorization: `AWS4-HMAC-SHA256 Credential=${TEST_ADMIN.accessKeyId}/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
    });
    assert.equal(wrongService.json?.__type, 'InvalidSignatureException');
    assert.equal(ACCOUNT_ID.length, 12);
  });
});
