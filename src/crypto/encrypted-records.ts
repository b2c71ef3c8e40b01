import { openAesGcm, sealAesGcm } from './aes-gcm.ts';
import { blindIndex } from './blind-index.ts';
import type { PoolKeys } from './pool-keys.ts';
import { deepFreeze, frozenJson, type CachedPage, type PoolReads } from './record-read-cache.ts';
import { openToken, sealToken } from './sealed-token.ts';
import type { IndexEntry, PoolTransaction } from '../store/store.ts';

/** A lookup key as the domain states it: plaintext here, only ever stored as a blind index. */
export interface LookupKey {
  name: string;
  value: string;
  unique?: boolean;
  /**
   * A region-wide route (Store IndexEntry.route): stored as given, not blinded, so only for
   * identifiers that are not personal data and must be found without knowing the pool (client ids).
   */
  route?: boolean;
}

/**
 * A pool's values by kind and id, to read and write: what both its records (EncryptedRecords) and
 * its region-local state (sealed like records, never change-logged or replicated) offer. See
 * EncryptedRecords.writableHere.
 */
export interface WritableRecords {
  get<T>(kind: string, id: string): Promise<T | null>;
  put<T>(kind: string, id: string, value: T): Promise<void>;
  list<T>(kind: string, after: string | null, limit: number): Promise<DecryptedPage<T>>;
  delete(kind: string, id: string): Promise<boolean>;
  /**
   * Reads a value and decides its new one as one atomic step: `update` gets the current value
   * (null when absent) and returns the value to store (null: leave it) and a result. `update` must
   * be synchronous. Region-local state does it with Store.updateLocal, atomic across every process
   * sharing the store; the pool's records only inside a write transaction (PoolVault.write on the
   * primary), which already serializes the pool's writers.
   */
  update<T, R>(kind: string, id: string, update: (current: T | null) => UpdateDecision<T, R>): Promise<R>;
}

/** What an atomic `update` decides: the value to store (null: leave the current one) and what to return. */
export interface UpdateDecision<T, R> {
  value: T | null;
  result: R;
}

/**
 * Raised when domain code tries to change a record of a pool that is a secondary replica here:
 * its records are the primary's, changed only by replication (OperationNotEnabledException).
 */
export class ReplicaReadOnly extends Error {
  constructor(readonly poolId: string, readonly kind: string) {
    super(`pool ${poolId} is a secondary replica in this region; its ${kind} records change only in the primary region`);
    this.name = 'ReplicaReadOnly';
  }
}

export interface DecryptedPage<T> {
  items: Array<{ id: string; value: T }>;
  nextAfter: string | null;
}

/**
 * A pool's records as the domain sees them: JSON values in, JSON values out. Encrypts every payload
 * with AES-256-GCM under the pool's record key, with (pool, kind, id) as additional authenticated
 * data so a ciphertext copied to another row or pool fails to open; turns lookup values into blind
 * indexes. The store underneath only sees ciphertext and digests.
 */
export class EncryptedRecords {
  /**
   * @param replicaLocal set exactly when the pool is a secondary replica here: the pool's
   * region-local state. Records are then read-only, and it takes the few things a secondary may
   * change: revocations (shipped to the primary and merged there) and used authorization codes.
   * @param reads decrypted reads kept from earlier requests at the same pool version (read-only
   * views only: src/crypto/record-read-cache.ts); null reads everything from the store.
   */
  constructor(
    private readonly tx: PoolTransaction,
    private readonly keys: PoolKeys,
    private readonly replicaLocal: WritableRecords | null = null,
    private readonly reads: PoolReads | null = null,
  ) {}

  get poolId(): string {
    return this.tx.poolId;
  }

  /**
   * Where this region writes what it may change in any role (sign-outs, revoked sessions, used
   * authorization codes): the pool's records on the primary; on a secondary replica, whose
   * records are the primary's, its region-local state. Read such values with `getWithLocal`.
   */
  get writableHere(): WritableRecords {
    return this.replicaLocal ?? this;
  }

  /**
   * A value of a kind that `writableHere` takes, as this region knows it: the pool's record and,
   * on a secondary replica, the one written here. Without `merge` the first found is the answer
   * (the record first; the region-local one is then not read); with it, two found are joined.
   */
  async getWithLocal<T>(kind: string, id: string, merge?: (replicated: T, local: T) => T): Promise<T | null> {
    const replicated = await this.get<T>(kind, id);
    if (!this.replicaLocal || (replicated !== null && !merge)) return replicated;
    const local = await this.replicaLocal.get<T>(kind, id);
    if (local === null) return replicated;
    return replicated !== null && merge ? merge(replicated, local) : local;
  }

  /**
   * In a read view with the read cache, values are shared with other requests and frozen
   * (src/crypto/record-read-cache.ts): copy before changing one.
   */
  async get<T>(kind: string, id: string): Promise<T | null> {
    if (!this.reads) {
      const record = await this.tx.get(kind, id);
      return record ? this.open<T>(kind, id, record.payload) : null;
    }
    const key = `get\u0000${kind}\u0000${id}`;
    const cached = this.reads.lookup(key);
    if (cached !== undefined) return cached as T | null;
    const record = await this.tx.get(kind, id);
    if (!record) {
      this.reads.remember(key, null, 0);
      return null;
    }
    const text = this.openText(kind, id, record.payload);
    const value = frozenJson(text);
    this.reads.remember(key, value, text.length);
    return value as T;
  }

  /** The first record of `kind` whose lookup key `name` equals `value`. */
  async find<T>(kind: string, name: string, value: string): Promise<{ id: string; value: T } | null> {
    const [id] = await this.findIds(kind, name, value, 1);
    if (id === undefined) return null;
    const value_ = await this.get<T>(kind, id);
    return value_ === null ? null : { id, value: value_ };
  }

  /**
   * `find` for a value that is itself configuration readable by anyone who reads the pool (a
   * resource server's identifier), on paths that run per request. With the read cache, the id a
   * value led to is remembered under the value itself, sparing the blind index's HMAC, about 4% of
   * a client_credentials grant's main thread. Only values that were found are remembered, so the
   * memory holds stored identifiers, never what a caller typed. Not for values a caller types that
   * may be secret (a username field can hold a mistyped password): those stay with `find`, whose
   * cache keys are digests.
   */
  async findByPublicValue<T>(kind: string, name: string, value: string): Promise<{ id: string; value: T } | null> {
    if (!this.reads) return this.find<T>(kind, name, value);
    const key = `public\u0000${kind}\u0000${name}\u0000${value}`;
    const remembered = this.reads.lookup(key) as string | undefined;
    const id = remembered ?? (await this.findIds(kind, name, value, 1))[0];
    if (id === undefined) return null;
    const found = await this.get<T>(kind, id);
    if (found === null) return null;
    if (remembered === undefined) this.reads.remember(key, id, key.length + id.length);
    return { id, value: found };
  }

  async findIds(kind: string, name: string, value: string, limit?: number): Promise<string[]> {
    const digest = this.digest(kind, name, value);
    if (!this.reads) return this.tx.findIds(kind, name, digest, limit);
    const key = `ids\u0000${kind}\u0000${name}\u0000${digest}\u0000${limit ?? ''}`;
    let ids = this.reads.lookup(key) as readonly string[] | undefined;
    if (ids === undefined) {
      ids = deepFreeze(await this.tx.findIds(kind, name, digest, limit));
      this.reads.remember(key, ids, ids.reduce((sum, id) => sum + id.length, 0));
    }
    return [...ids];
  }

  async list<T>(kind: string, after: string | null, limit: number): Promise<DecryptedPage<T>> {
    const page = await this.tx.list(kind, after, limit);
    return { items: page.records.map((r) => ({ id: r.id, value: this.open<T>(kind, r.id, r.payload) })), nextAfter: page.nextAfter };
  }

  async listByLookup<T>(kind: string, name: string, value: string, after: string | null, limit: number): Promise<DecryptedPage<T>> {
    const digest = this.digest(kind, name, value);
    if (!this.reads) {
      const stored = await this.tx.listByIndex(kind, name, digest, after, limit);
      return { items: stored.records.map((r) => ({ id: r.id, value: this.open<T>(kind, r.id, r.payload) })), nextAfter: stored.nextAfter };
    }
    const key = `lookup\u0000${kind}\u0000${name}\u0000${digest}\u0000${after ?? ''}\u0000${limit}`;
    let page = this.reads.lookup(key) as CachedPage | undefined;
    if (page === undefined) {
      const stored = await this.tx.listByIndex(kind, name, digest, after, limit);
      let textLength = 0;
      const items = stored.records.map((r) => {
        const text = this.openText(kind, r.id, r.payload);
        textLength += r.id.length + text.length;
        return { id: r.id, value: frozenJson(text) };
      });
      page = deepFreeze({ items, nextAfter: stored.nextAfter });
      this.reads.remember(key, page, textLength);
    }
    return { items: page.items.map((item) => ({ id: item.id, value: item.value as T })), nextAfter: page.nextAfter };
  }

  count(kind: string): Promise<number> {
    return this.tx.count(kind);
  }

  /**
   * WritableRecords.update over the pool's records: a get and a put, atomic because the pool's
   * write transaction serializes its writers (a read view gives no such guarantee). On a secondary
   * replica it is refused like put; use `writableHere`.
   */
  async update<T, R>(kind: string, id: string, update: (current: T | null) => UpdateDecision<T, R>): Promise<R> {
    if (this.replicaLocal) throw new ReplicaReadOnly(this.poolId, kind);
    const decided = update(await this.get<T>(kind, id));
    if (decided.value !== null) await this.put<T>(kind, id, decided.value);
    return decided.result;
  }

  async put<T>(kind: string, id: string, value: T, lookups: LookupKey[] = []): Promise<void> {
    if (this.replicaLocal) throw new ReplicaReadOnly(this.poolId, kind);
    const indexes: IndexEntry[] = lookups.map((lookup) =>
      lookup.route
        ? { name: lookup.name, digest: lookup.value, unique: true, route: true }
        : { name: lookup.name, digest: this.digest(kind, lookup.name, lookup.value), unique: lookup.unique ?? false },
    );
    await this.tx.put(kind, id, this.seal(kind, id, value), indexes);
  }

  /** Swaps the wrapped data key in this transaction (see PoolVault.rewrapDataKey). */
  replaceWrappedDataKey(wrapped: Buffer, keyReference: string): Promise<void> {
    if (this.replicaLocal) throw new ReplicaReadOnly(this.poolId, 'key');
    return this.tx.setWrappedDataKey(wrapped, keyReference);
  }

  delete(kind: string, id: string): Promise<boolean> {
    if (this.replicaLocal) throw new ReplicaReadOnly(this.poolId, kind);
    return this.tx.delete(kind, id);
  }

  /** A keyed, deterministic fingerprint (hex) of a value, e.g. for indistinguishable fake answers. */
  fingerprint(label: string, value: string): string {
    return Buffer.from(this.digest('fingerprint', label, value), 'base64url').toString('hex');
  }

  /**
   * Seals a value into an opaque token under the pool's token key (refresh tokens, challenge
   * sessions): see auth/sessions/sealed-token.ts.
   */
  sealToken(purpose: string, payload: unknown): string {
    return sealToken(this.keys.tokenKey, purpose, this.tx.poolId, payload);
  }

  /** Opens a token sealed by `sealToken` for the same pool and purpose; null otherwise. */
  openToken<T>(purpose: string, token: string): T | null {
    return openToken<T>(this.keys.tokenKey, purpose, this.tx.poolId, token);
  }

  private digest(kind: string, name: string, value: string): string {
    return blindIndex(this.keys.indexKey, kind, name, value);
  }

  private seal(kind: string, id: string, value: unknown): Buffer {
    return sealAesGcm(this.keys.recordKey, Buffer.from(JSON.stringify(value)), this.additionalData(kind, id));
  }

  private open<T>(kind: string, id: string, payload: Buffer): T {
    return JSON.parse(this.openText(kind, id, payload)) as T;
  }

  private openText(kind: string, id: string, payload: Buffer): string {
    return openAesGcm(this.keys.recordKey, payload, this.additionalData(kind, id)).toString('utf8');
  }

  /** Seals region-local state with the record key, bound to its place like a record. */
  static sealLocal(keys: PoolKeys, poolId: string, kind: string, id: string, value: unknown): Buffer {
    return sealAesGcm(keys.recordKey, Buffer.from(JSON.stringify(value)), localAdditionalData(poolId, kind, id));
  }

  static openLocal<T>(keys: PoolKeys, poolId: string, kind: string, id: string, payload: Buffer): T {
    return JSON.parse(openAesGcm(keys.recordKey, payload, localAdditionalData(poolId, kind, id)).toString('utf8')) as T;
  }

  private additionalData(kind: string, id: string): Buffer {
    return Buffer.from(`meridian/record/v1\u0000${this.tx.poolId}\u0000${kind}\u0000${id}`);
  }
}

function localAdditionalData(poolId: string, kind: string, id: string): Buffer {
  return Buffer.from(`meridian/local/v1\u0000${poolId}\u0000${kind}\u0000${id}`);
}
