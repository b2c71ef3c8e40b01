import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { openAesGcm, sealAesGcm } from '../crypto/aes-gcm.ts';
import type { StoredKeyMaterial } from '../store/kms/kms-store.ts';

/** AES-256: every SYMMETRIC_DEFAULT key material version is 32 random bytes. */
export const KEY_MATERIAL_BYTES = 32;
/** Unwrapped materials kept in memory; each is immutable, so only the bound matters. */
const CACHE_LIMIT = 1024;

/**
 * Wraps KMS key material at rest: AES-256-GCM under a key-encryption key derived (HKDF-SHA256,
 * its own label) from the region root key, with the key id and material version as additional
 * data, so a wrapped material copied to another key or version does not open.
 *
 * Unwrapped material is cached in memory. That is safe because a version's material never changes;
 * every use still reads the key's state from the store first, so disabling or deleting a key takes
 * effect at once.
 */
export class KeyMaterialVault {
  private readonly keyEncryptionKey: Buffer;
  private readonly cache = new Map<string, Buffer>();

  constructor(rootKey: Buffer) {
    this.keyEncryptionKey = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'meridian/kms-key-material/v1', 32));
  }

  /** New random material for `keyId` version `version`, wrapped for the store. */
  create(keyId: string, version: number, createdAt: number): StoredKeyMaterial {
    return this.wrap(keyId, version, randomBytes(KEY_MATERIAL_BYTES), newMaterialId(), createdAt);
  }

  /** Wraps known material (a replica receiving its primary's material). */
  wrap(keyId: string, version: number, material: Buffer, materialId: string, createdAt: number): StoredKeyMaterial {
    // Not cached here: the caller may yet fail to store it (a lost compare-and-set); the cache
    // holds only what was read back from the store, so it can never disagree with it.
    const wrapped = sealAesGcm(this.keyEncryptionKey, material, additionalData(keyId, version));
    return { keyId, version, materialId, wrapped, createdAt };
  }

  unwrap(stored: StoredKeyMaterial): Buffer {
    const cacheKey = `${stored.keyId}/${stored.version}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const material = openAesGcm(this.keyEncryptionKey, stored.wrapped, additionalData(stored.keyId, stored.version));
    this.remember(stored.keyId, stored.version, material);
    return material;
  }

  /** The material of a version unwrapped before, without a store read. */
  cached(keyId: string, version: number): Buffer | null {
    return this.cache.get(`${keyId}/${version}`) ?? null;
  }

  /** Drops a destroyed key's material from memory. */
  forget(keyId: string): void {
    for (const cacheKey of this.cache.keys()) if (cacheKey.startsWith(`${keyId}/`)) this.cache.delete(cacheKey);
  }

  private remember(keyId: string, version: number, material: Buffer): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(`${keyId}/${version}`, material);
  }
}

function additionalData(keyId: string, version: number): Buffer {
  return Buffer.from(`meridian/kms-key-material|${keyId}|${version}`);
}

/** KMS key material ids are 64 hex digits; ours are random, so they say nothing about the material. */
function newMaterialId(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}
