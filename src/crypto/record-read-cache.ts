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
 * Values are kept parsed and deep-frozen (`frozenJson`), so a hit costs no JSON parse (the pool
 * record alone is several kilobytes, read on every sign-in) and no caller can change what the
 * next one gets: an assignment to a cached value throws a TypeError (ES modules are strict).
 * Bounded by entries and by bytes (least recently used go first; a value's size is counted as
 * its JSON text's), and by age: nothing stays longer than `maxAgeMs` (default: the data-key cache's 300 s),
 * so decrypted records of a deleted pool, or under a key since disabled, do not linger in memory.
 */
export interface RecordReadCacheOptions {
  maxEntries?: number;
  /**
   * Bound of the cached values, in bytes of their JSON text (UTF-16: two per character); the
   * parsed objects take a few times that in the heap. Default 64 MiB.
   */
  maxBytes?: number;
  maxAgeMs?: number;
  now?: () => number;
}

export class RecordReadCache {
  private readonly entries = new Map<string, CachedRead>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: RecordReadCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 20_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /** The reads of one pool as of `version`, for one PoolVault.read. */
  view(poolId: string, version: string, keys: PoolKeys): PoolReads {
    return new PoolReads(this, `${poolId}\u0000`, version, keys);
  }

  /** @internal */
  lookup(key: string, version: string, keys: PoolKeys): CachedValue | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version || entry.keys !== keys || entry.storedAt + this.maxAgeMs <= this.now()) {
      this.drop(key, entry);
      return undefined;
    }
    // Re-inserting keeps Map order = recency, so eviction takes the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** @internal */
  remember(key: string, version: string, keys: PoolKeys, value: CachedValue, textLength: number): void {
    const previous = this.entries.get(key);
    if (previous) this.drop(key, previous);
    const size = 2 * (key.length + textLength) + 64;
    // A value bigger than a sixteenth of the budget would evict many hot ones for one read.
    if (size > this.maxBytes / 16) return;
    this.entries.set(key, { version, keys, value, size, storedAt: this.now() });
    this.bytes += size;
    this.evict();
  }

  /** Drops every entry of a pool (it was deleted here). */
  forgetPool(poolId: string): void {
    const prefix = `${poolId}\u0000`;
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) this.drop(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  get sizeInBytes(): number {
    return this.bytes;
  }

  /** Least recently used first, and expired entries found at the old end on the way. */
  private evict(): void {
    const expiredBefore = this.now() - this.maxAgeMs;
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.maxEntries || this.bytes > this.maxBytes;
      if (!over && entry.storedAt > expiredBefore) break;
      this.drop(key, entry);
    }
  }

  private drop(key: string, entry: CachedRead): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}

/** What a cached read returns: a record's frozen value or null (absent), ids, or a page. */
export type CachedValue = unknown;

export interface CachedPage {
  readonly items: ReadonlyArray<{ readonly id: string; readonly value: unknown }>;
  readonly nextAfter: string | null;
}

/** JSON text parsed into a value frozen all the way down, to be shared between readers. */
export function frozenJson(text: string): unknown {
  return deepFreeze(JSON.parse(text));
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

interface CachedRead {
  version: string;
  keys: PoolKeys;
  value: CachedValue;
  size: number;
  storedAt: number;
}

/** The cached reads of one pool at one version (what EncryptedRecords consults). */
export class PoolReads {
  constructor(private readonly cache: RecordReadCache, private readonly prefix: string, private readonly version: string, private readonly keys: PoolKeys) {}

  lookup(key: string): CachedValue | undefined {
    return this.cache.lookup(this.prefix + key, this.version, this.keys);
  }

  /** `textLength`: the characters the value took as text (what the byte bound counts). */
  remember(key: string, value: CachedValue, textLength: number): void {
    this.cache.remember(this.prefix + key, this.version, this.keys, value, textLength);
  }
}
