import { hkdfSync, randomBytes } from 'node:crypto';
import { DecryptionFailed, openAesGcm, sealAesGcm } from '../crypto/aes-gcm.ts';
import { canonicalContext, type EncryptionContext } from '../crypto/key-provider.ts';
import { KEY_ID_PATTERN } from './key-ids.ts';

/**
 * The CiphertextBlob of Encrypt, GenerateDataKey and ReEncrypt. Like AWS KMS's own blob it names
 * the key it was made with, which is why Decrypt needs no KeyId for symmetric keys, and the key
 * material version, so ciphertexts made before a rotation still decrypt after it.
 *
 *   header:  0x01 | key id length (1 byte) | key id (ASCII) | material version (uint32 BE) | salt (16)
 *   body:    sealAesGcm(messageKey, plaintext, AAD = header | canonical encryption context)
 *
 * messageKey = HKDF-SHA256(material, salt, "meridian/kms-ciphertext/v1"): a fresh key per
 * ciphertext, so the 2^32 random-nonce limit of AES-GCM applies per message rather than per key
 * material. The header is authenticated, so no field of it can be changed, and the encryption
 * context is bound without being stored: Decrypt must be given the same context. The blob holds
 * no Region, so a multi-Region key's replicas decrypt it as they are.
 */
const FORMAT = 0x01;
const SALT_BYTES = 16;
/** sealAesGcm output around the plaintext: version byte, 12-byte nonce, 16-byte tag. */
const SEAL_OVERHEAD = 1 + 12 + 16;

export interface BlobHeader {
  keyId: string;
  version: number;
}

export class MalformedCiphertext extends Error {
  constructor() {
    super('ciphertext blob is malformed or does not authenticate');
    this.name = 'MalformedCiphertext';
  }
}

export function sealBlob(material: Buffer, header: BlobHeader, plaintext: Buffer, context: EncryptionContext): Buffer {
  const keyId = Buffer.from(header.keyId, 'ascii');
  const version = Buffer.alloc(4);
  version.writeUInt32BE(header.version);
  const head = Buffer.concat([Buffer.of(FORMAT, keyId.length), keyId, version, randomBytes(SALT_BYTES)]);
  const salt = head.subarray(head.length - SALT_BYTES);
  return Buffer.concat([head, sealAesGcm(messageKey(material, salt), plaintext, additionalData(head, context))]);
}

/** Reads the header without authenticating it: only to find the key; `openBlob` authenticates. */
export function readBlobHeader(blob: Buffer): BlobHeader {
  if (blob.length < 2 || blob[0] !== FORMAT) throw new MalformedCiphertext();
  const keyIdLength = blob[1]!;
  const headLength = 2 + keyIdLength + 4 + SALT_BYTES;
  if (blob.length < headLength + SEAL_OVERHEAD) throw new MalformedCiphertext();
  const keyId = blob.subarray(2, 2 + keyIdLength).toString('ascii');
  if (!KEY_ID_PATTERN.test(keyId)) throw new MalformedCiphertext();
  return { keyId, version: blob.readUInt32BE(2 + keyIdLength) };
}

export function openBlob(material: Buffer, blob: Buffer, context: EncryptionContext): Buffer {
  const headLength = 2 + blob[1]! + 4 + SALT_BYTES;
  const head = blob.subarray(0, headLength);
  const salt = head.subarray(headLength - SALT_BYTES);
  try {
    return openAesGcm(messageKey(material, salt), blob.subarray(headLength), additionalData(head, context));
  } catch (error) {
    if (error instanceof DecryptionFailed) throw new MalformedCiphertext();
    throw error;
  }
}

function messageKey(material: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, salt, 'meridian/kms-ciphertext/v1', 32));
}

function additionalData(head: Buffer, context: EncryptionContext): Buffer {
  return Buffer.concat([head, canonicalContext(context)]);
}
