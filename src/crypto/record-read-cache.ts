import type { PoolKeys } from './pool-keys.ts';

/**
 * Decrypted reads of pools, kept between requests while the pool has not changed, so the hot
 * paths (sign-in, refresh, token grants) stop re-reading and re-decrypting the same app client,
 * pool and user records on every request.
 *
 * Why this is never stale: every entry is stamped with the pool's version (Store.poolVersion)
 * read at the start of the read that filled it, and a read uses an entry only when the pool's
 * version read at its own start is the same. Any committed change to the pool, by this process
 * or by any other sharing the database (workers, other servers on PostgreSQL, replication
 * applies), changes the version first. So a read answered from here sees exactly what the store
 * held when that read began, at the cost of one indexed row read per PoolVault.read.
 *
 * Entries are also bound to the pool's keys object: when the data-key cache drops or re-unwraps
 * a pool's key (its lifetime, a deleted pool, a disabled customer key), every entry of the pool
 * stops being used, so this cache never outlives the key that decrypted what it holds.
 *
 * Values are kept as the decrypted JSON text (parsed on every hit), never as shared objects a
 * caller could change under another. Bounded by entry count; least recently used go first.
 */
export class RecordReadCache {
  private readonly entries = new Map<string, CachedRead>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The reads of one pool as of `version`, for one PoolVault.read. */
  view(poolId: string, version: string, keys: PoolKeys): PoolReads {
    return new PoolReads(this, `${poolId}\u0000`, version, keys);
  }

  /** @internal */
  lookup(key: string, version: string, keys: PoolKeys): CachedValue | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version || entry.keys !== keys) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-inserting keeps Map order = recency, so eviction takes the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** @internal */
  remember(key: string, version: string, keys: PoolKeys, value: CachedValue): void {
    this.entries.delete(key);
    this.entries.set(key, { version, keys, value });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** What a cached read returns: a record's JSON text or null (absent), ids, or a page. */
export type CachedValue = string | null | string[] | CachedPage;

export interface CachedPage {
  items: Array<{ id: string; text: string }>;
  nextAfter: string | null;
}

interface CachedRead {
  version: string;
  keys: PoolKeys;
  value: CachedValue;
}

/** The cached reads of one pool at one version (what EncryptedRecords consults). */
export class PoolReads {
  constructor(private readonly cache: RecordReadCache, private readonly prefix: string, private readonly version: string, private readonly keys: PoolKeys) {}

  lookup(key: string): CachedValue | undefined {
    return this.cache.lookup(this.prefix + key, this.version, this.keys);
  }

  remember(key: string, value: CachedValue): void {
    this.cache.remember(this.prefix + key, this.version, this.keys, value);
  }
}
