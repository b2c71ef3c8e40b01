import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Layout of every ciphertext Meridian writes: version | 12-byte nonce | ciphertext | 16-byte tag. */
const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Raised when a ciphertext fails authentication: wrong key, wrong AAD, or tampering. */
export class DecryptionFailed extends Error {
  constructor() {
    super('ciphertext failed authentication');
    this.name = 'DecryptionFailed';
  }
}

export function sealAesGcm(key: Buffer, plaintext: Buffer, additionalData: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(additionalData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, body, cipher.getAuthTag()]);
}

export function openAesGcm(key: Buffer, sealed: Buffer, additionalData: Buffer): Buffer {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) throw new DecryptionFailed();
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(additionalData);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionFailed();
  }
}
