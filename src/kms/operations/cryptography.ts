import { randomBytes } from 'node:crypto';
import type { EncryptionContext } from '../../crypto/key-provider.ts';
import { MalformedCiphertext, openBlob, readBlobHeader, sealBlob, type BlobHeader } from '../ciphertext-blob.ts';
import { AccessDeniedException, IncorrectKeyException, InvalidCiphertextException, ValidationException } from '../errors.ts';
import { checkEncryptionAlgorithm, checkEncryptionContext, checkEnum, checkLength, checkRange } from '../input-checks.ts';
import { arnOf, loadKey, materialOf, requireEnabled, requireKey, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import type { KmsKey } from '../key-model.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

/** KMS limits (API reference): Encrypt takes up to 4096 bytes; a ciphertext blob is at most 6144. */
const MAXIMUM_PLAINTEXT_BYTES = 4096;
const MAXIMUM_CIPHERTEXT_BYTES = 6144;
const DATA_KEY_SPECS = { AES_256: 32, AES_128: 16 } as const;

/** Seals with the key's current material version; the blob records which version that was. */
async function sealWith(core: KmsCore, key: KmsKey, plaintext: Buffer, context: EncryptionContext): Promise<Buffer> {
  const { currentVersion } = key.attributes;
  const material = await materialOf(core, key.keyId, currentVersion);
  if (!material) throw new Error(`material version ${currentVersion} of ${key.keyId} is missing`);
  return sealBlob(material, { keyId: key.keyId, version: currentVersion }, plaintext, context);
}

/** Finds the key that can open `blob`, checks the caller may use it, and opens it. */
async function openWith(core: KmsCore, call: KmsCall, operation: string, blob: Uint8Array, keyIdentifier: string | undefined, context: EncryptionContext) {
  checkLength('ciphertextBlob', blob, 1, MAXIMUM_CIPHERTEXT_BYTES);
  const ciphertext = Buffer.from(blob);
  let header: BlobHeader;
  try {
    header = readBlobHeader(ciphertext);
  } catch {
    throw new InvalidCiphertextException('The ciphertext is not a KMS ciphertext blob.');
  }
  let key: KmsKey | null;
  if (keyIdentifier !== undefined) {
    key = await requireKey(core, call, keyIdentifier, { aliases: true });
    if (key.keyId !== header.keyId) throw new IncorrectKeyException('The key ID in the request does not identify a KMS key that can perform this operation.');
  } else {
    call.keyId = header.keyId;
    key = await loadKey(core, header.keyId);
    // KMS's deliberately vague answer: whether the key is absent or forbidden is not revealed.
    if (!key) throw new AccessDeniedException('The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.');
  }
  core.authorizer.authorize(call.principal, operation, { arn: arnOf(core, key.keyId), policy: key.policy }, context);
  requireEnabled(core, key);
  const material = await materialOf(core, key.keyId, header.version);
  try {
    if (!material) throw new MalformedCiphertext();
    return { key, version: header.version, plaintext: openBlob(material, ciphertext, context) };
  } catch (error) {
    // Wrong encryption context, tampering, or a version this key never had: all the same to the caller.
    if (error instanceof MalformedCiphertext) throw new InvalidCiphertextException('The ciphertext is invalid, or the encryption context does not match the one it was encrypted with.');
    throw error;
  }
}

function materialIdOf(key: KmsKey, version: number): string {
  return key.attributes.materialIds[String(version)] ?? '';
}

export async function encrypt(core: KmsCore, call: KmsCall, input: Input<'encrypt'>): Output<'encrypt'> {
  const context = checkEncryptionContext(input.EncryptionContext);
  call.encryptionContext = context;
  checkLength('plaintext', input.Plaintext, 1, MAXIMUM_PLAINTEXT_BYTES);
  checkEncryptionAlgorithm('encryptionAlgorithm', input.EncryptionAlgorithm);
  const key = await requireKey(core, call, input.KeyId, { aliases: true });
  core.authorizer.authorize(call.principal, 'Encrypt', { arn: arnOf(core, key.keyId), policy: key.policy }, context);
  requireEnabled(core, key);
  const blob = await sealWith(core, key, Buffer.from(input.Plaintext), context);
  return { CiphertextBlob: blob, KeyId: arnOf(core, key.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

export async function decrypt(core: KmsCore, call: KmsCall, input: Input<'decrypt'>): Output<'decrypt'> {
  const context = checkEncryptionContext(input.EncryptionContext);
  call.encryptionContext = context;
  checkEncryptionAlgorithm('encryptionAlgorithm', input.EncryptionAlgorithm);
  const opened = await openWith(core, call, 'Decrypt', input.CiphertextBlob, input.KeyId, context);
  return { Plaintext: opened.plaintext, KeyId: arnOf(core, opened.key.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: materialIdOf(opened.key, opened.version) };
}

function dataKeyLength(input: Input<'generateDataKey'>): number {
  if (input.KeySpec !== undefined && input.NumberOfBytes !== undefined) throw new ValidationException('Please specify either KeySpec or NumberOfBytes, not both.');
  if (input.KeySpec === undefined && input.NumberOfBytes === undefined) throw new ValidationException('Please specify either KeySpec or NumberOfBytes.');
  if (input.KeySpec !== undefined) {
    checkEnum('keySpec', input.KeySpec, Object.keys(DATA_KEY_SPECS));
    return DATA_KEY_SPECS[input.KeySpec as keyof typeof DATA_KEY_SPECS];
  }
  checkRange('numberOfBytes', input.NumberOfBytes!, 1, 1024);
  return input.NumberOfBytes!;
}

async function newDataKey(core: KmsCore, call: KmsCall, operation: string, input: Input<'generateDataKey'>) {
  const context = checkEncryptionContext(input.EncryptionContext);
  call.encryptionContext = context;
  const length = dataKeyLength(input);
  const key = await requireKey(core, call, input.KeyId, { aliases: true });
  core.authorizer.authorize(call.principal, operation, { arn: arnOf(core, key.keyId), policy: key.policy }, context);
  requireEnabled(core, key);
  const plaintext = randomBytes(length);
  return { plaintext, blob: await sealWith(core, key, plaintext, context), key };
}

export async function generateDataKey(core: KmsCore, call: KmsCall, input: Input<'generateDataKey'>): Output<'generateDataKey'> {
  const { plaintext, blob, key } = await newDataKey(core, call, 'GenerateDataKey', input);
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: arnOf(core, key.keyId), KeyMaterialId: key.attributes.currentMaterialId };
}

export async function generateDataKeyWithoutPlaintext(core: KmsCore, call: KmsCall, input: Input<'generateDataKeyWithoutPlaintext'>): Output<'generateDataKeyWithoutPlaintext'> {
  const { plaintext, blob, key } = await newDataKey(core, call, 'GenerateDataKeyWithoutPlaintext', input);
  plaintext.fill(0);
  return { CiphertextBlob: blob, KeyId: arnOf(core, key.keyId), KeyMaterialId: key.attributes.currentMaterialId };
}

/**
 * ReEncrypt: decrypts under the source key (kms:ReEncryptFrom) and encrypts under the destination
 * key (kms:ReEncryptTo) without the plaintext leaving the service.
 */
export async function reEncrypt(core: KmsCore, call: KmsCall, input: Input<'reEncrypt'>): Output<'reEncrypt'> {
  const sourceContext = checkEncryptionContext(input.SourceEncryptionContext);
  const destinationContext = checkEncryptionContext(input.DestinationEncryptionContext);
  call.encryptionContext = sourceContext;
  checkEncryptionAlgorithm('sourceEncryptionAlgorithm', input.SourceEncryptionAlgorithm);
  checkEncryptionAlgorithm('destinationEncryptionAlgorithm', input.DestinationEncryptionAlgorithm);
  const source = await openWith(core, call, 'ReEncryptFrom', input.CiphertextBlob, input.SourceKeyId, sourceContext);
  const auditedKey = call.keyId;
  try {
    const destination = await requireKey(core, call, input.DestinationKeyId, { aliases: true });
    core.authorizer.authorize(call.principal, 'ReEncryptTo', { arn: arnOf(core, destination.keyId), policy: destination.policy }, destinationContext);
    requireEnabled(core, destination);
    const blob = await sealWith(core, destination, source.plaintext, destinationContext);
    return {
      CiphertextBlob: blob,
      SourceKeyId: arnOf(core, source.key.keyId),
      KeyId: arnOf(core, destination.keyId),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: materialIdOf(source.key, source.version),
      DestinationKeyMaterialId: destination.attributes.currentMaterialId,
    };
  } finally {
    source.plaintext.fill(0);
    call.keyId = auditedKey;
  }
}
