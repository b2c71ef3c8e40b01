import { DataKeyCache } from './data-key-cache.ts';
import { EncryptedRecords } from './encrypted-records.ts';
import type { KeyProvider } from './key-provider.ts';
import { PoolMissing, type PoolEntry, type Store } from '../store/store.ts';

/**
 * The encrypted side of the store: opens a pool's records with its data key (unwrapped through
 * the cache) for reading or for an atomic, change-logged write. Domain code uses only this.
 */
export class PoolVault {
  constructor(private readonly store: Store, private readonly keyCache: DataKeyCache) {}

  /** Creates a pool with a fresh data key from `provider` and runs `work` in the same transaction. */
  async createPool<T>(poolId: string, provider: KeyProvider, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    const dataKey = await provider.generateDataKey({ userPoolId: poolId });
    const entry = { poolId, wrappedDataKey: dataKey.wrapped, keyReference: provider.reference, createdAt: Date.now() };
    this.keyCache.remember(entry, dataKey.plaintext);
    try {
      return await this.store.createPool(entry, async (tx) => work(new EncryptedRecords(tx, await this.keyCache.keysFor({ ...entry, lastSequence: 0 }))));
    } catch (error) {
      this.keyCache.forget(poolId);
      throw error;
    }
  }

  async write<T>(poolId: string, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    const keys = await this.keyCache.keysFor(await this.entry(poolId));
    return this.store.transaction(poolId, (tx) => work(new EncryptedRecords(tx, keys)));
  }

  async read<T>(poolId: string, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    const keys = await this.keyCache.keysFor(await this.entry(poolId));
    return this.store.read(poolId, (tx) => work(new EncryptedRecords(tx, keys)));
  }

  async exists(poolId: string): Promise<boolean> {
    return (await this.store.getPool(poolId)) !== null;
  }

  listPoolIds(after: string | null, limit: number): Promise<PoolEntry[]> {
    return this.store.listPools(after, limit);
  }

  async deletePool(poolId: string): Promise<boolean> {
    this.keyCache.forget(poolId);
    return this.store.deletePool(poolId);
  }

  private async entry(poolId: string): Promise<PoolEntry> {
    const entry = await this.store.getPool(poolId);
    if (!entry) throw new PoolMissing(poolId);
    return entry;
  }
}
