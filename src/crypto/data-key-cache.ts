import { derivePoolKeys, type PoolKeys } from './pool-keys.ts';
import type { KeyProvider } from './key-provider.ts';
import type { PoolEntry } from '../store/store.ts';

export interface DataKeyCacheOptions {
  /** How long an unwrapped data key is reused; bounds how late a disabled key takes effect. */
  ttlMs: number;
  now?: () => number;
}

/** Finds the provider that wrapped a pool's key from the reference stored beside it. */
export type KeyProviderResolver = (keyReference: string) => KeyProvider;

/**
 * Unwrapped pool keys, kept in memory for a bounded time. Without it every request would call the
 * key provider (a KMS round trip for customer keys); with an unbounded one, disabling a customer
 * key would never take effect. Concurrent misses for the same pool share one unwrap.
 */
export class DataKeyCache {
  private readonly entries = new Map<string, { wrapped: Buffer; keys: Promise<PoolKeys>; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly resolveProvider: KeyProviderResolver, private readonly options: DataKeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  keysFor(pool: PoolEntry): Promise<PoolKeys> {
    const cached = this.entries.get(pool.poolId);
    if (cached && cached.expiresAt > this.now() && cached.wrapped.equals(pool.wrappedDataKey)) return cached.keys;
    const keys = this.resolveProvider(pool.keyReference)
      .unwrapDataKey(pool.wrappedDataKey, { userPoolId: pool.poolId })
      .then((dataKey) => derivePoolKeys(dataKey, pool.poolId));
    const entry = { wrapped: pool.wrappedDataKey, keys, expiresAt: this.now() + this.options.ttlMs };
    this.entries.set(pool.poolId, entry);
    // A failed unwrap must not be cached: the next request retries the provider.
    keys.catch(() => {
      if (this.entries.get(pool.poolId) === entry) this.entries.delete(pool.poolId);
    });
    return keys;
  }

  /**
   * The pool's keys if an unexpired unwrap is cached, without looking at the pool row: a re-wrap
   * keeps the same data key, so the derived keys stay right until the entry expires.
   */
  cachedKeys(poolId: string): Promise<PoolKeys> | null {
    const cached = this.entries.get(poolId);
    return cached && cached.expiresAt > this.now() ? cached.keys : null;
  }

  /** The provider behind a key reference (the pool row's `keyReference`). */
  providerFor(keyReference: string): KeyProvider {
    return this.resolveProvider(keyReference);
  }

  /** Seeds the cache with a key just generated, sparing an immediate unwrap. */
  remember(pool: Pick<PoolEntry, 'poolId' | 'wrappedDataKey'>, dataKey: Buffer): void {
    this.entries.set(pool.poolId, {
      wrapped: pool.wrappedDataKey,
      keys: Promise.resolve(derivePoolKeys(dataKey, pool.poolId)),
      expiresAt: this.now() + this.options.ttlMs,
    });
  }

  forget(poolId: string): void {
    this.entries.delete(poolId);
  }
}
