import { DataKeyCache } from './data-key-cache.ts';
import { EncryptedRecords, type DecryptedPage, type UpdateDecision, type WritableRecords } from './encrypted-records.ts';
import type { KeyProvider } from './key-provider.ts';
import type { PoolKeys } from './pool-keys.ts';
import type { PoolReads, RecordReadCache } from './record-read-cache.ts';
import { PoolMissing, poolRole, type PoolEntry, type PoolRole, type Store } from '../store/store.ts';

/** Bound of the route memo; a full memo starts over (each entry is a few dozen bytes). */
const MAX_REMEMBERED_ROUTES = 100_000;

/**
 * The encrypted side of the store: opens a pool's records with its data key (unwrapped through
 * the cache) for reading or for an atomic, change-logged write. Domain code uses only this.
 */
export class PoolVault {
  /** A pool's role never changes under its id (a replica is never promoted in place), so it is kept. */
  private readonly roles = new Map<string, PoolRole>();
  /** Pools that routes led to in this process (rememberedPoolOfRoute), keyed `name\0value`. */
  private readonly routes = new Map<string, string>();
  /** Told about every region-local write to a replica pool (the revocation shipper listens). */
  onReplicaLocalWrite: ((poolId: string, kind: string, id: string) => void) | null = null;

  /** @param readCache keeps decrypted reads between requests (record-read-cache.ts); null: none. */
  constructor(private readonly store: Store, private readonly keyCache: DataKeyCache, private readonly readCache: RecordReadCache | null = null) {}

  /** Creates a pool with a fresh data key from `provider` and runs `work` in the same transaction. */
  async createPool<T>(poolId: string, provider: KeyProvider, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    await provider.checkAccess({ userPoolId: poolId });
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

  /**
   * An atomic, change-logged write. On a secondary replica the records are read-only (a put
   * throws ReplicaReadOnly) and `records.writableHere` takes what a secondary may change.
   */
  async write<T>(poolId: string, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    const keys = await this.keysOf(poolId);
    if ((await this.roleOf(poolId)) === 'replica') return this.store.read(poolId, (tx) => work(new EncryptedRecords(tx, keys, this.replicaLocal(poolId))));
    return this.store.transaction(poolId, (tx) => work(new EncryptedRecords(tx, keys)));
  }

  async read<T>(poolId: string, work: (records: EncryptedRecords) => Promise<T>): Promise<T> {
    const keys = await this.keysOf(poolId);
    const local = (await this.roleOf(poolId)) === 'replica' ? this.replicaLocal(poolId) : null;
    const reads = await this.cachedReads(poolId, keys);
    return this.store.read(poolId, (tx) => work(new EncryptedRecords(tx, keys, local, reads)));
  }

  /** 'replica' when the pool is a secondary replica in this region; PoolMissing when absent. */
  async roleOf(poolId: string): Promise<PoolRole> {
    const known = this.roles.get(poolId);
    if (known) return known;
    const role = poolRole(await this.entry(poolId));
    this.roles.set(poolId, role);
    return role;
  }

  /** The pool a region-wide route (e.g. an app client id) belongs to, or null. */
  async findPoolByRoute(name: string, value: string): Promise<string | null> {
    return (await this.store.findRoute(name, value))?.poolId ?? null;
  }

  /**
   * findPoolByRoute, remembered in this process, so a hot path (a sign-in by ClientId, a token
   * request by domain) spares the route's query: a request then costs one query, its view's pool
   * version. A remembered answer can go stale (a domain moved to another pool, a client or pool
   * deleted), so the caller must confirm it in the pool's records, the record that declares the
   * route (which the read cache serves at the pool's current version), and call `forgetRoute`
   * when they deny it. Only routes that exist are remembered: route values are public names, and
   * unknown ones sent by anybody cannot fill the memory.
   */
  async rememberedPoolOfRoute(name: string, value: string): Promise<string | null> {
    const key = `${name}\u0000${value}`;
    const remembered = this.routes.get(key);
    if (remembered !== undefined) return remembered;
    const poolId = await this.findPoolByRoute(name, value);
    if (poolId !== null) {
      if (this.routes.size >= MAX_REMEMBERED_ROUTES) this.routes.clear();
      this.routes.set(key, poolId);
    }
    return poolId;
  }

  /** Drops a remembered route whose pool's records denied it (see rememberedPoolOfRoute). */
  forgetRoute(name: string, value: string): void {
    this.routes.delete(`${name}\u0000${value}`);
  }

  /** Region-local state (never replicated), encrypted like records. */
  async readLocal<T>(poolId: string, kind: string, id: string): Promise<T | null> {
    const payload = await this.store.getLocal(poolId, kind, id);
    if (!payload) return null;
    return EncryptedRecords.openLocal<T>(await this.keyCache.keysFor(await this.entry(poolId)), poolId, kind, id, payload);
  }

  async writeLocal<T>(poolId: string, kind: string, id: string, value: T): Promise<void> {
    const keys = await this.keyCache.keysFor(await this.entry(poolId));
    await this.store.putLocal(poolId, kind, id, EncryptedRecords.sealLocal(keys, poolId, kind, id, value));
  }

  /** A page of the pool's region-local values of one kind, opened (for sweeps of expired ones). */
  async listLocal<T>(poolId: string, kind: string, after: string | null, limit: number): Promise<DecryptedPage<T>> {
    const page = await this.store.listLocal(poolId, kind, after, limit);
    const keys = await this.keysOf(poolId);
    return { items: page.records.map((r) => ({ id: r.id, value: EncryptedRecords.openLocal<T>(keys, poolId, kind, r.id, r.payload) })), nextAfter: page.nextAfter };
  }

  /** Removes a region-local value (Store.deleteLocal: only one nobody changes any more). */
  deleteLocal(poolId: string, kind: string, id: string): Promise<boolean> {
    return this.store.deleteLocal(poolId, kind, id);
  }

  /**
   * Region-local state exactly as stored (sealed): what a secondary ships to the primary. The
   * seal binds pool, kind and id but not the region, and both regions hold the same data key.
   */
  sealedLocal(poolId: string, kind: string, id: string): Promise<Buffer | null> {
    return this.store.getLocal(poolId, kind, id);
  }

  /** Opens local state sealed in another region of the pool (see sealedLocal). */
  async openSealedLocal<T>(poolId: string, kind: string, id: string, payload: Buffer): Promise<T> {
    return EncryptedRecords.openLocal<T>(await this.keysOf(poolId), poolId, kind, id, payload);
  }

  /**
   * Atomic read-modify-write of region-local state (Store.updateLocal): `update` gets the current
   * value (null when absent) and returns the new one (null: leave it) with a result. Counters and
   * lists that several processes of a region change (lockout, usage counts, the outbox) go
   * through here, so no process's change overwrites another's. `update` must be synchronous.
   */
  async updateLocal<T, R>(poolId: string, kind: string, id: string, update: (current: T | null) => UpdateDecision<T, R>): Promise<R> {
    // Through the pool row, as writeLocal: a deleted pool is refused (PoolMissing), not written to.
    const keys = await this.keyCache.keysFor(await this.entry(poolId));
    return this.store.updateLocal(poolId, kind, id, (payload) => {
      const decided = update(payload ? EncryptedRecords.openLocal<T>(keys, poolId, kind, id, payload) : null);
      return { payload: decided.value === null ? null : EncryptedRecords.sealLocal(keys, poolId, kind, id, decided.value), result: decided.result };
    });
  }

  /**
   * The pool's data key wrapped by `provider` instead of its current key (KeyConfiguration
   * change): unwrapped with the current provider, wrapped by the new one after checking the pool
   * may use it. Records stay as they are; commit with `records.replaceWrappedDataKey`.
   */
  async rewrapDataKey(poolId: string, provider: KeyProvider): Promise<{ wrapped: Buffer; keyReference: string }> {
    const context = { userPoolId: poolId };
    await provider.checkAccess(context);
    const entry = await this.entry(poolId);
    const dataKey = await this.keyCache.providerFor(entry.keyReference).unwrapDataKey(entry.wrappedDataKey, context);
    const wrapped = await provider.wrapDataKey(dataKey, context);
    return { wrapped, keyReference: provider.reference };
  }

  /** The reference of the key that wraps the pool's data key now. */
  async keyReferenceOf(poolId: string): Promise<string> {
    return (await this.entry(poolId)).keyReference;
  }

  forgetKeys(poolId: string): void {
    this.keyCache.forget(poolId);
  }

  async exists(poolId: string): Promise<boolean> {
    return (await this.store.getPool(poolId)) !== null;
  }

  listPoolIds(after: string | null, limit: number): Promise<PoolEntry[]> {
    return this.store.listPools(after, limit);
  }

  async deletePool(poolId: string): Promise<boolean> {
    this.keyCache.forget(poolId);
    this.readCache?.forgetPool(poolId);
    this.roles.delete(poolId);
    for (const [key, routed] of this.routes) if (routed === poolId) this.routes.delete(key);
    return this.store.deletePool(poolId);
  }

  /** The pool's cached reads at its current version, read before any record of this view. */
  private async cachedReads(poolId: string, keys: PoolKeys): Promise<PoolReads | null> {
    if (!this.readCache) return null;
    const version = await this.store.poolVersion(poolId);
    return version === null ? null : this.readCache.view(poolId, version, keys);
  }

  private replicaLocal(poolId: string): WritableRecords {
    return {
      get: <T>(kind: string, id: string) => this.readLocal<T>(poolId, kind, id),
      put: async <T>(kind: string, id: string, value: T) => {
        await this.writeLocal(poolId, kind, id, value);
        this.onReplicaLocalWrite?.(poolId, kind, id);
      },
      list: <T>(kind: string, after: string | null, limit: number) => this.listLocal<T>(poolId, kind, after, limit),
      // Atomic across the region's processes (Store.updateLocal): what a secondary's single use of
      // authorization codes rests on, as its reads and puts are not in one transaction.
      update: async <T, R>(kind: string, id: string, update: (current: T | null) => UpdateDecision<T, R>) => {
        let written = false;
        const result = await this.updateLocal<T, R>(poolId, kind, id, (current) => {
          const decided = update(current);
          written = decided.value !== null;
          return decided;
        });
        if (written) this.onReplicaLocalWrite?.(poolId, kind, id);
        return result;
      },
      // Not told to onReplicaLocalWrite: only what is written is shipped. Deletes are sweeps of
      // expired revocations and used codes, which the primary drops by its own sweep.
      delete: (kind: string, id: string) => this.deleteLocal(poolId, kind, id),
    };
  }

  /**
   * The pool's keys, from the cache when fresh (sparing a read of the pool row on every request).
   * A missing pool still fails: writes in the store's transaction, reads when no record is found.
   */
  private async keysOf(poolId: string) {
    return (await this.keyCache.cachedKeys(poolId)) ?? this.keyCache.keysFor(await this.entry(poolId));
  }

  private async entry(poolId: string): Promise<PoolEntry> {
    const entry = await this.store.getPool(poolId);
    if (!entry) throw new PoolMissing(poolId);
    return entry;
  }
}
