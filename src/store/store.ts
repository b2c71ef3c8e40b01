/**
 * The storage contract every backend (SQLite, PostgreSQL) implements.
 *
 * The store only ever sees opaque bytes: record payloads arrive already encrypted and lookup keys
 * arrive as blind-index digests (see src/crypto). That keeps "nothing personal in plaintext" a
 * property of the layer above, which the store cannot accidentally break.
 *
 * Every mutation runs inside `transaction(poolId, ...)`, which appends one change-log entry per
 * mutation with a gap-free per-pool sequence number in the same database transaction, so anything
 * acknowledged is both durable and replicable in order.
 */

import type { CommitListener } from './commit-listeners.ts';

export type { CommitListener };

/** A pool's row in the pool directory: what is needed before any record can be decrypted. */
export interface PoolEntry {
  poolId: string;
  /** The pool's data key wrapped by its key provider (service key or customer KMS key). */
  wrappedDataKey: Buffer;
  /** Which key wraps `wrappedDataKey`, e.g. `service` or a KMS key ARN; not secret. */
  keyReference: string;
  /** Sequence number of the last change-log entry written for this pool (0 = none). */
  lastSequence: number;
  createdAt: number;
  /**
   * 'replica' for a pool copied from another region's primary (createReplicaPool). getPool and
   * listPools set it, with appliedSequence and snapshotProgress, only on replicas: absent means
   * 'primary' (use `poolRole(entry)`), which keeps a primary's entry in its original shape.
   */
  role?: PoolRole;
  /** On a replica, the primary's sequence applied last. */
  appliedSequence?: number;
  /** On a replica, how far the initial copy got. */
  snapshotProgress?: SnapshotProgress | null;
}

export type PoolRole = 'primary' | 'replica';

export function poolRole(entry: PoolEntry): PoolRole {
  return entry.role ?? 'primary';
}

/** Where a snapshot page ends: records are ordered by (kind, id). */
export interface SnapshotCursor {
  kind: string;
  id: string;
}

/** A replica's initial-copy state, saved with each applied snapshot page so a restart resumes. */
export interface SnapshotProgress {
  complete: boolean;
  /** The cursor to continue from; null = from the start. */
  after: SnapshotCursor | null;
  copiedRecords: number;
  /** Record count the primary reported (an estimate: the pool keeps changing). */
  totalRecords: number;
}

/** A record exactly as stored, with all its index entries (route entries included). */
export interface SnapshotRecord extends StoredRecord {
  /** Sorted by (name, digest); route entries come back as `{ unique: true, route: true }`. */
  indexes: IndexEntry[];
}

export interface SnapshotPage {
  /** The pool entry read before this page's records (wrapped data key, key reference, lastSequence). */
  pool: PoolEntry;
  records: SnapshotRecord[];
  /** Pass as `after` for the next page; null when this page is the last. */
  next: SnapshotCursor | null;
  /** Records in the pool when this page was read; -1 when not counted (SnapshotOptions). */
  totalRecords: number;
}

export interface SnapshotOptions {
  /**
   * Count the pool's records for `totalRecords` (default true). Counting reads the whole pool
   * (on SQLite every payload page), so a copy counts on its first page only: counting on each of a
   * large pool's pages made reading it quadratic.
   */
  countRecords?: boolean;
}

/** One lookup key of a record: `name` says which attribute, `digest` is its blind index. */
export interface IndexEntry {
  name: string;
  digest: string;
  /** When true, at most one record of the same kind may carry this name+digest in a pool. */
  unique: boolean;
  /**
   * A route: `digest` is a non-secret identifier (a client id, a domain prefix) that must lead to
   * this record from anywhere in the region, for requests that do not name their pool. Unique
   * region-wide; see Store.findRoute.
   */
  route?: boolean;
}

export interface RouteTarget {
  poolId: string;
  kind: string;
  id: string;
}

export interface StoredRecord {
  kind: string;
  id: string;
  payload: Buffer;
}

export type ChangeOperation = 'put' | 'delete';

/** A change-log entry: what replication ships. Payload and indexes are exactly as stored. */
export interface ChangeEntry {
  poolId: string;
  sequence: number;
  kind: string;
  id: string;
  operation: ChangeOperation;
  payload: Buffer | null;
  indexes: IndexEntry[];
  at: number;
}

export interface ListPage {
  records: StoredRecord[];
  /** The id to pass as `after` for the next page, or null when this page is the last. */
  nextAfter: string | null;
}

/** Operations valid inside one pool transaction. Reads see the transaction's own writes. */
export interface PoolTransaction {
  readonly poolId: string;
  get(kind: string, id: string): Promise<StoredRecord | null>;
  /** Ids of records of `kind` whose index `name` has `digest`, in id order. */
  findIds(kind: string, name: string, digest: string, limit?: number): Promise<string[]>;
  list(kind: string, after: string | null, limit: number): Promise<ListPage>;
  /** Records of `kind` carrying index name+digest, paged by id. */
  listByIndex(kind: string, name: string, digest: string, after: string | null, limit: number): Promise<ListPage>;
  count(kind: string): Promise<number>;
  /** Insert or replace; replaces the record's indexes. Throws UniqueIndexViolation on conflict. */
  put(kind: string, id: string, payload: Buffer, indexes: IndexEntry[]): Promise<void>;
  /** Deletes the record and its indexes; returns false when there was nothing to delete. */
  delete(kind: string, id: string): Promise<boolean>;
  /** Replaces the wrapped data key (key rotation or customer-key switch); logged like a record. */
  setWrappedDataKey(wrappedDataKey: Buffer, keyReference: string): Promise<void>;
}

/** Change-log kind under which a re-wrapped pool data key travels (payload: the wrapped key). */
export const POOL_KEY_CHANGE_KIND = 'pool-data-key';

/** Raised by `put` when a unique index already belongs to another record of the same kind. */
export class UniqueIndexViolation extends Error {
  constructor(readonly kind: string, readonly indexName: string) {
    super(`unique index ${kind}.${indexName} already taken`);
    this.name = 'UniqueIndexViolation';
  }
}

/**
 * Raised by `applyChanges` when the first change not yet applied is not `appliedSequence + 1`:
 * something was lost between primary and replica, so nothing of the batch is applied.
 */
export class ReplicationGap extends Error {
  constructor(readonly poolId: string, readonly expectedSequence: number, readonly receivedSequence: number) {
    super(`replication gap in pool ${poolId}: expected sequence ${expectedSequence}, received ${receivedSequence}`);
    this.name = 'ReplicationGap';
  }
}

/** Raised when a replication apply targets a pool that is not a replica (or a feed serves one). */
export class PoolRoleMismatch extends Error {
  constructor(readonly poolId: string, readonly role: PoolRole) {
    super(`pool ${poolId} is a ${role}`);
    this.name = 'PoolRoleMismatch';
  }
}

export class PoolAlreadyExists extends Error {
  constructor(readonly poolId: string) {
    super(`pool ${poolId} already exists`);
    this.name = 'PoolAlreadyExists';
  }
}

/** Raised by `transaction` when the pool is not in the directory (deleted or never created). */
export class PoolMissing extends Error {
  constructor(readonly poolId: string) {
    super(`pool ${poolId} does not exist`);
    this.name = 'PoolMissing';
  }
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Adds the pool to the directory and runs `work` in the same transaction, so a pool never exists
   * without its first records. Throws PoolAlreadyExists if the id is taken.
   */
  createPool<T>(entry: NewPoolEntry, work: (tx: PoolTransaction) => Promise<T>): Promise<T>;
  getPool(poolId: string): Promise<PoolEntry | null>;
  /**
   * A stamp of everything readable in the pool, one indexed row read: it changes with every
   * committed record change, replicated apply and snapshot page, each of which also replaces the
   * row's random `revision`, so a stamp never comes back with other contents (sequence numbers
   * alone could: a restored database, a pool deleted and created again). Null when the pool does
   * not exist. Readers compare it to reuse what they read before, so it must reflect every
   * commit that completed before the call began (PostgreSQL shares one read among callers, but
   * never one sent before a caller began: postgres/fresh-read-sharing.ts).
   */
  poolVersion(poolId: string): Promise<string | null>;
  /** Pools in id order after `after` (exclusive). */
  listPools(after: string | null, limit: number): Promise<PoolEntry[]>;
  /** listPools of the replica pools alone (role `replica`), through an index of them only. */
  listReplicaPools(after: string | null, limit: number): Promise<PoolEntry[]>;
  /** Removes the pool, its records, indexes and change log. */
  deletePool(poolId: string): Promise<boolean>;

  /** Runs `work` atomically for one pool; mutations are serialized per pool. */
  transaction<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T>;
  /** Read-only view (no change log), for lookups that do not write. */
  read<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T>;

  /** The record a route leads to (see IndexEntry.route), or null. */
  findRoute(name: string, value: string): Promise<RouteTarget | null>;

  /**
   * Region-local state (lockout counters and the like): outside the change log, never
   * replicated, written at once. Payloads are opaque (encrypted above) like records.
   */
  getLocal(poolId: string, kind: string, id: string): Promise<Buffer | null>;
  putLocal(poolId: string, kind: string, id: string, payload: Buffer): Promise<void>;
  /**
   * Read-modify-write of one region-local value as one atomic step, across every process sharing
   * the database (`meridian serve --workers`, several servers on one PostgreSQL): `update` sees
   * the current payload (null when absent) and returns the new one, or null to leave it as it
   * is. Concurrent updates of the same value are serialized, so none is lost. `update` must be
   * synchronous (it runs while the row is locked) and is called exactly once; its result is
   * returned.
   */
  updateLocal<T>(poolId: string, kind: string, id: string, update: (current: Buffer | null) => LocalUpdate<T>): Promise<T>;
  /**
   * A pool's region-local values of one kind in id order after `after` (exclusive), at most
   * `limit`: what a sweep of expired values reads (see deleteLocal).
   */
  listLocal(poolId: string, kind: string, after: string | null, limit: number): Promise<ListPage>;
  /**
   * Removes one region-local value; false when there was none. Unconditional, like putLocal: for
   * values nobody changes any more once the caller decides to drop them (expired ones), never to
   * undo a concurrent updateLocal.
   */
  deleteLocal(poolId: string, kind: string, id: string): Promise<boolean>;

  /** Change-log entries with sequence > `afterSequence`, ascending, at most `limit`. */
  readChanges(poolId: string, afterSequence: number, limit: number): Promise<ChangeEntry[]>;

  /**
   * One page of the pool's records in (kind, id) order after `after`, with their index entries and
   * the pool entry, read consistently with each other; null when the pool does not exist.
   *
   * A replica takes `pool.lastSequence` of the FIRST page as its starting sequence S and later
   * applies every change after S. Later pages are read later, so the copy is fuzzy (it may already
   * hold some changes after S); that converges anyway, because every change carries the full
   * record (or its deletion) and the changes after S are replayed in order over it: once they are
   * all applied, each record is exactly what the primary's last change to it says.
   */
  snapshot(poolId: string, after: SnapshotCursor | null, limit: number, options?: SnapshotOptions): Promise<SnapshotPage | null>;

  /**
   * Adds a replica pool (role 'replica') with `appliedSequence` = the snapshot's starting
   * sequence and an incomplete snapshot progress. Throws PoolAlreadyExists if the id is taken.
   */
  createReplicaPool(entry: NewPoolEntry, appliedSequence: number): Promise<void>;
  /**
   * Writes snapshot records exactly as given (payload bytes, index entries, routes) and saves
   * `progress` in the same transaction. Not change-logged (see applyChanges).
   */
  applySnapshotPage(poolId: string, records: SnapshotRecord[], progress: SnapshotProgress): Promise<void>;
  /**
   * Applies the primary's changes in order in one transaction: entries with sequence <=
   * appliedSequence are skipped (re-delivery is harmless), the next must be appliedSequence + 1 or
   * ReplicationGap is thrown and nothing is applied. `POOL_KEY_CHANGE_KIND` entries replace the
   * wrapped data key (and the key reference when the entry carries one). The new appliedSequence
   * is stored in the same transaction and returned.
   *
   * A replica does not append these to its own change log: the primary's log is the source of
   * truth and its sequence numbers are the ones tracked, and a second log would only be a copy
   * nobody reads. (What a secondary changes itself, such as revocations, is region-local state
   * shipped to the primary: src/replication/local-state-shipper.ts.)
   */
  applyChanges(poolId: string, changes: ReplicatedChange[]): Promise<number>;
}

/** The SQL expression of Store.poolVersion over a `pools` row (the same in both backends). */
export const POOL_VERSION_EXPRESSION =
  "COALESCE(revision, '') || ':' || last_sequence || ':' || applied_sequence || ':' || COALESCE(snapshot_progress, '')";

/** What an updateLocal callback decides: the payload to store (null: keep the current one) and what to return. */
export interface LocalUpdate<T> {
  payload: Buffer | null;
  result: T;
}

/**
 * Optional part of a Store: announces committed change-log appends within this process (the change
 * feed's long-poll waits on it). Commits made by another process sharing the database are not
 * announced, so a waiter must not rely on it alone.
 */
export interface CommitAnnouncer {
  /** Calls `listener` after each commit that appended to a pool's change log; returns the unsubscriber. */
  onCommit(listener: CommitListener): () => void;
}

/** True when the store announces its commits (both built-in backends do). */
export function announcesCommits(store: Store): store is Store & CommitAnnouncer {
  return typeof (store as Partial<CommitAnnouncer>).onCommit === 'function';
}

/** What createPool and createReplicaPool take: the rest of PoolEntry is the store's to keep. */
export type NewPoolEntry = Omit<PoolEntry, 'lastSequence' | 'role' | 'appliedSequence' | 'snapshotProgress'>;

/** A change as a replica receives it; key changes may name the key reference that wraps the key. */
export interface ReplicatedChange extends ChangeEntry {
  keyReference?: string;
}
