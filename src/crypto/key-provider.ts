/**
 * What wraps a pool's data key. The service-owned provider (root-key derived) is the default; the
 * customer-managed provider (a KMS key, built-in or external) plugs in behind the same interface.
 * The encryption context is bound into every wrap, as KMS does, so a wrapped key cannot be
 * replayed for another pool.
 */
export type EncryptionContext = Record<string, string>;

export interface GeneratedDataKey {
  plaintext: Buffer;
  wrapped: Buffer;
}

export interface KeyProvider {
  /** Stable, non-secret name of the wrapping key, stored beside the wrapped data key. */
  readonly reference: string;
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  unwrapDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer>;
  /** Wraps an existing data key: switching a pool to another key re-wraps, never re-encrypts records. */
  wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<Buffer>;
  /**
   * Checks, before a pool is put under this key, that every call the pool will make is allowed
   * (a KMS key: DescribeKey, GenerateDataKey and Decrypt with the pool's context); throws
   * KeyUnusable naming what is missing.
   */
  checkAccess(context: EncryptionContext): Promise<void>;
}

/** Raised when the wrapping key cannot be used (disabled, deleted, access denied, unreachable). */
export class KeyUnusable extends Error {
  constructor(readonly keyReference: string, readonly reason: string) {
    super(`key ${keyReference} is unusable: ${reason}`);
    this.name = 'KeyUnusable';
  }
}

/** Canonical bytes of an encryption context: sorted keys, so order never changes the AAD. */
export function canonicalContext(context: EncryptionContext): Buffer {
  const sorted = Object.keys(context).sort().map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(sorted));
}
