import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CommitListeners, type CommitListener } from '../commit-listeners.ts';
import { loadMigrations } from '../migration-files.ts';
import {
  POOL_VERSION_EXPRESSION,
  POOL_KEY_CHANGE_KIND,
  PoolAlreadyExists,
  PoolMissing,
  PoolRoleMismatch,
  ReplicationGap,
  UniqueIndexViolation,
  type ChangeEntry,
  type NewPoolEntry,
  type ReplicatedChange,
  type SnapshotCursor,
  type SnapshotPage,
  type SnapshotOptions,
  type SnapshotProgress,
  type SnapshotRecord,
  type IndexEntry,
  type ListPage,
  type LocalUpdate,
  type PoolEntry,
  type PoolTransaction,
  type RouteTarget,
  type CommitAnnouncer,
  type Store,
  type StoredRecord,
} from '../store.ts';

const POOL_VERSION_SQL = `SELECT ${POOL_VERSION_EXPRESSION} AS version FROM pools WHERE pool_id = ?`;

type Row = Record<string, unknown>;

/** How long a write waits for another process (another `serve --workers` worker) to release the database. */
const BUSY_DEADLINE_MS = 10_000;
/**
 * Look-ups of one record's index entries name their index: without statistics SQLite's planner
 * prefers a prefix of the primary key (pool, kind), which scans every index entry of the kind, so
 * each put cost time proportional to the pool's size (100,000 users: tens of milliseconds each).
 */
const INDEXES_OF_RECORD = 'record_indexes INDEXED BY record_indexes_by_record';

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * Compiles each SQL text once per connection: preparing costs more than running these small
 * statements, and every request runs several.
 */
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/**
 * Embedded store on better-sqlite3. One writer connection guarded by an in-process queue (SQLite
 * allows one writer; transactions here may await between statements, so the queue stands in for
 * the lock a single synchronous transaction would hold) and one reader connection that, in WAL
 * mode, sees only committed data.
 *
 * Several processes may share the file (`meridian serve --workers`): every write transaction
 * starts with BEGIN IMMEDIATE, which takes SQLite's write lock up front (a deferred transaction
 * that reads first could not upgrade once another process committed), and while another process
 * holds that lock the writer waits asynchronously (busy_timeout 0 on the writer and a retry loop)
 * instead of blocking this process's event loop inside SQLite's busy handler.
 */
export class SqliteStore implements Store, CommitAnnouncer {
  readonly backend = 'sqlite' as const;
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly commits = new CommitListeners();

  constructor(readonly file: string) {
    this.writer = new Database(file);
    // WAL + synchronous=FULL: a commit is on disk before the call returns, so an acknowledged
    // write survives kill -9 and power loss alike.
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma('synchronous = FULL');
    // 0: a busy write lock is retried by `whenUnlocked`, off the event loop (see the class comment).
    this.writer.pragma('busy_timeout = 0');
    this.reader = new Database(file);
    this.reader.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    // One IMMEDIATE transaction that reads what is applied under the write lock: processes starting
    // together on one file apply each migration once (the second finds the first one's rows).
    await this.exclusive(() =>
      this.whenUnlocked(() =>
        this.writer.transaction(() => {
          this.writer.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
          const applied = new Set((this.writer.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((row) => Number(row.version)));
          for (const migration of loadMigrations('sqlite')) {
            if (applied.has(migration.version)) continue;
            this.writer.exec(migration.sql);
            this.writer.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
          }
        }).immediate(),
      ),
    );
  }

  onCommit(listener: CommitListener): () => void {
    return this.commits.add(listener);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.reader.close();
    this.writer.close();
  }

  async createPool<T>(entry: NewPoolEntry, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.beginImmediate();
      try {
        const exists = prepared(this.writer, 'SELECT 1 FROM pools WHERE pool_id = ?').get(entry.poolId);
        if (exists) throw new PoolAlreadyExists(entry.poolId);
        prepared(this.writer, 'INSERT INTO pools (pool_id, wrapped_data_key, key_reference, last_sequence, created_at, revision) VALUES (?, ?, ?, 0, ?, ?)')
          .run(entry.poolId, entry.wrappedDataKey, entry.keyReference, entry.createdAt, randomUUID());
        const tx = new SqliteTransaction(this.writer, entry.poolId, true);
        const result = await work(tx);
        this.writer.exec('COMMIT');
        if (tx.appendedSequence > 0) this.commits.announce(entry.poolId, tx.appendedSequence);
        return result;
      } catch (error) {
        this.writer.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async poolVersion(poolId: string): Promise<string | null> {
    const row = prepared(this.reader, POOL_VERSION_SQL).get(poolId) as Row | undefined;
    return row ? String(row.version) : null;
  }

  async getPool(poolId: string): Promise<PoolEntry | null> {
    const row = prepared(this.reader, 'SELECT * FROM pools WHERE pool_id = ?').get(poolId) as Row | undefined;
    return row ? toPoolEntry(row) : null;
  }

  async listPools(after: string | null, limit: number): Promise<PoolEntry[]> {
    const rows = prepared(this.reader, 'SELECT * FROM pools WHERE pool_id > ? ORDER BY pool_id LIMIT ?')
      .all(after ?? '', limit) as Row[];
    return rows.map(toPoolEntry);
  }

  async listReplicaPools(after: string | null, limit: number): Promise<PoolEntry[]> {
    const rows = prepared(this.reader, "SELECT * FROM pools WHERE role = 'replica' AND pool_id > ? ORDER BY pool_id LIMIT ?").all(after ?? '', limit) as Row[];
    return rows.map(toPoolEntry);
  }

  async deletePool(poolId: string): Promise<boolean> {
    return this.exclusive(() =>
      this.whenUnlocked(() => this.writer.transaction(() => {
        for (const table of ['records', 'record_indexes', 'change_log', 'routes', 'local_state']) {
          prepared(this.writer, `DELETE FROM ${table} WHERE pool_id = ?`).run(poolId);
        }
        return prepared(this.writer, 'DELETE FROM pools WHERE pool_id = ?').run(poolId).changes > 0;
      }).immediate()),
    );
  }

  async transaction<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.beginImmediate();
      try {
        if (!prepared(this.writer, 'SELECT 1 FROM pools WHERE pool_id = ?').get(poolId)) throw new PoolMissing(poolId);
        const tx = new SqliteTransaction(this.writer, poolId, true);
        const result = await work(tx);
        this.writer.exec('COMMIT');
        if (tx.appendedSequence > 0) this.commits.announce(poolId, tx.appendedSequence);
        return result;
      } catch (error) {
        this.writer.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async read<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    return work(new SqliteTransaction(this.reader, poolId, false));
  }

  async findRoute(name: string, value: string): Promise<RouteTarget | null> {
    const row = prepared(this.reader, 'SELECT pool_id, kind, id FROM routes WHERE name = ? AND value = ?').get(name, value) as Row | undefined;
    return row ? { poolId: String(row.pool_id), kind: String(row.kind), id: String(row.id) } : null;
  }

  async getLocal(poolId: string, kind: string, id: string): Promise<Buffer | null> {
    const row = prepared(this.reader, 'SELECT payload FROM local_state WHERE pool_id = ? AND kind = ? AND id = ?').get(poolId, kind, id) as Row | undefined;
    return row ? blob(row.payload) : null;
  }

  async putLocal(poolId: string, kind: string, id: string, payload: Buffer): Promise<void> {
    await this.exclusive(() => this.whenUnlocked(() => upsertLocal(this.writer, poolId, kind, id, payload)));
  }

  async updateLocal<T>(poolId: string, kind: string, id: string, update: (current: Buffer | null) => LocalUpdate<T>): Promise<T> {
    // Read and write in one IMMEDIATE transaction on the writer: the write lock, held from the
    // read on, keeps every other process's update of the value out until this one commits.
    return this.exclusive(() =>
      this.whenUnlocked(() =>
        this.writer.transaction(() => {
          const row = prepared(this.writer, 'SELECT payload FROM local_state WHERE pool_id = ? AND kind = ? AND id = ?').get(poolId, kind, id) as Row | undefined;
          const decided = update(row ? blob(row.payload) : null);
          if (decided.payload) upsertLocal(this.writer, poolId, kind, id, decided.payload);
          return decided.result;
        }).immediate(),
      ),
    );
  }

  async listLocal(poolId: string, kind: string, after: string | null, limit: number): Promise<ListPage> {
    const rows = prepared(this.reader, 'SELECT kind, id, payload FROM local_state WHERE pool_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?')
      .all(poolId, kind, after ?? '', limit + 1) as Row[];
    return page(rows.map(toRecord), limit);
  }

  async deleteLocal(poolId: string, kind: string, id: string): Promise<boolean> {
    return this.exclusive(() =>
      this.whenUnlocked(() => prepared(this.writer, 'DELETE FROM local_state WHERE pool_id = ? AND kind = ? AND id = ?').run(poolId, kind, id).changes > 0),
    );
  }

  async readChanges(poolId: string, afterSequence: number, limit: number): Promise<ChangeEntry[]> {
    const rows = prepared(this.reader, 'SELECT * FROM change_log WHERE pool_id = ? AND sequence > ? ORDER BY sequence LIMIT ?')
      .all(poolId, afterSequence, limit) as Row[];
    return rows.map((row) => ({
      poolId: String(row.pool_id),
      sequence: Number(row.sequence),
      kind: String(row.kind),
      id: String(row.id),
      operation: row.operation === 'delete' ? 'delete' : 'put',
      payload: row.payload ? Buffer.from(row.payload as Uint8Array) : null,
      indexes: JSON.parse(String(row.indexes)) as IndexEntry[],
      at: Number(row.at),
    }));
  }

  async snapshot(poolId: string, after: SnapshotCursor | null, limit: number, options: SnapshotOptions = {}): Promise<SnapshotPage | null> {
    // A read transaction on the WAL reader: the pool row, the count and the records are one
    // consistent view, so the page's lastSequence is not older than its records.
    return this.reader.transaction((): SnapshotPage | null => {
      const poolRow = prepared(this.reader, 'SELECT * FROM pools WHERE pool_id = ?').get(poolId) as Row | undefined;
      if (!poolRow) return null;
      const rows = (after
        ? prepared(this.reader, 'SELECT kind, id, payload FROM records WHERE pool_id = ? AND (kind, id) > (?, ?) ORDER BY kind, id LIMIT ?').all(poolId, after.kind, after.id, limit + 1)
        : prepared(this.reader, 'SELECT kind, id, payload FROM records WHERE pool_id = ? ORDER BY kind, id LIMIT ?').all(poolId, limit + 1)) as Row[];
      const more = rows.length > limit;
      const records: SnapshotRecord[] = rows.slice(0, limit).map((row) => ({ ...toRecord(row), indexes: [] }));
      // A page is contiguous in (kind, id) order, so each kind's index entries and routes are one
      // range read instead of two look-ups per record.
      for (const run of runsOfKind(records)) {
        const first = run[0]!.id;
        const last = run[run.length - 1]!.id;
        const byId = new Map(run.map((record) => [record.id, record.indexes]));
        const indexRows = prepared(this.reader, `SELECT id, name, digest, is_unique FROM ${INDEXES_OF_RECORD} WHERE pool_id = ? AND kind = ? AND id >= ? AND id <= ?`)
          .all(poolId, run[0]!.kind, first, last) as Row[];
        for (const index of indexRows) byId.get(String(index.id))?.push({ name: String(index.name), digest: String(index.digest), unique: Number(index.is_unique) === 1 });
        const routeRows = prepared(this.reader, 'SELECT id, name, value FROM routes WHERE pool_id = ? AND kind = ? AND id >= ? AND id <= ?')
          .all(poolId, run[0]!.kind, first, last) as Row[];
        for (const route of routeRows) byId.get(String(route.id))?.push({ name: String(route.name), digest: String(route.value), unique: true, route: true });
      }
      for (const record of records) sortIndexes(record.indexes);
      const last = records[records.length - 1];
      const total = options.countRecords === false ? -1 : Number((prepared(this.reader, 'SELECT COUNT(*) AS n FROM records WHERE pool_id = ?').get(poolId) as Row).n);
      return { pool: toPoolEntry(poolRow), records, next: more && last ? { kind: last.kind, id: last.id } : null, totalRecords: total };
    })();
  }

  async createReplicaPool(entry: NewPoolEntry, appliedSequence: number): Promise<void> {
    const progress: SnapshotProgress = { complete: false, after: null, copiedRecords: 0, totalRecords: 0 };
    await this.exclusive(() =>
      this.whenUnlocked(() => this.writer.transaction(() => {
        if (prepared(this.writer, 'SELECT 1 FROM pools WHERE pool_id = ?').get(entry.poolId)) throw new PoolAlreadyExists(entry.poolId);
        prepared(this.writer, 
          `INSERT INTO pools (pool_id, wrapped_data_key, key_reference, last_sequence, created_at, role, applied_sequence, snapshot_progress, revision)
           VALUES (?, ?, ?, 0, ?, 'replica', ?, ?, ?)`,
        ).run(entry.poolId, entry.wrappedDataKey, entry.keyReference, entry.createdAt, appliedSequence, JSON.stringify(progress), randomUUID());
      }).immediate()),
    );
  }

  async applySnapshotPage(poolId: string, records: SnapshotRecord[], progress: SnapshotProgress): Promise<void> {
    await this.replicaApply(() =>
      this.writer.transaction(() => {
        this.replicaRow(poolId);
        for (const record of records) applyPut(this.writer, poolId, record.kind, record.id, record.payload, record.indexes);
        prepared(this.writer, 'UPDATE pools SET snapshot_progress = ?, revision = ? WHERE pool_id = ?').run(JSON.stringify(progress), randomUUID(), poolId);
      }).immediate(),
    );
  }

  async applyChanges(poolId: string, changes: ReplicatedChange[]): Promise<number> {
    return this.replicaApply(() =>
      this.writer.transaction(() => {
        let applied = Number(this.replicaRow(poolId).applied_sequence);
        for (const change of changes) {
          if (change.sequence <= applied) continue;
          if (change.sequence !== applied + 1) throw new ReplicationGap(poolId, applied + 1, change.sequence);
          if (change.poolId !== poolId) throw new Error(`change ${change.sequence} belongs to pool ${change.poolId}, not ${poolId}`);
          if (change.kind === POOL_KEY_CHANGE_KIND) {
            if (!change.payload) throw new Error(`key change ${change.sequence} has no wrapped key`);
            prepared(this.writer, 'UPDATE pools SET wrapped_data_key = ?, key_reference = COALESCE(?, key_reference) WHERE pool_id = ?')
              .run(change.payload, change.keyReference ?? null, poolId);
          } else if (change.operation === 'delete') {
            applyDelete(this.writer, poolId, change.kind, change.id);
          } else {
            if (!change.payload) throw new Error(`put change ${change.sequence} has no payload`);
            applyPut(this.writer, poolId, change.kind, change.id, change.payload, change.indexes);
          }
          applied = change.sequence;
        }
        prepared(this.writer, 'UPDATE pools SET applied_sequence = ?, revision = ? WHERE pool_id = ?').run(applied, randomUUID(), poolId);
        return applied;
      }).immediate(),
    );
  }

  /**
   * Runs a replica apply with synchronous=NORMAL: in WAL mode still atomic and consistent (the
   * applied sequence commits with the changes), but the commit does not wait for an fsync; a power
   * loss can only take the newest applies back to an earlier applied sequence, and the primary's
   * log sends them again. The fsync per commit is what kept a replica following 200 writes/s
   * behind (each long-poll round is one small transaction). Primary writes keep synchronous=FULL.
   */
  private replicaApply<T>(work: () => T): Promise<T> {
    return this.exclusive(async () => {
      this.writer.pragma('synchronous = NORMAL');
      try {
        // Another worker of the region may hold the write lock: wait for it, as other writes do.
        return await this.whenUnlocked(work);
      } finally {
        this.writer.pragma('synchronous = FULL');
      }
    });
  }

  private replicaRow(poolId: string): Row {
    const row = prepared(this.writer, 'SELECT role, applied_sequence FROM pools WHERE pool_id = ?').get(poolId) as Row | undefined;
    if (!row) throw new PoolMissing(poolId);
    if (row.role !== 'replica') throw new PoolRoleMismatch(poolId, 'primary');
    return row;
  }

  /** Opens the writer's transaction holding the write lock, waiting while another process has it. */
  private beginImmediate(): Promise<void> {
    return this.whenUnlocked(() => {
      this.writer.exec('BEGIN IMMEDIATE');
    });
  }

  /**
   * Runs `attempt` (a BEGIN IMMEDIATE or a whole synchronous write) until it is not refused as
   * busy, sleeping between tries so the event loop keeps serving reads, for at most
   * BUSY_DEADLINE_MS. A refused attempt has done nothing, so trying again is safe.
   */
  private async whenUnlocked<T>(attempt: () => T): Promise<T> {
    const deadline = Date.now() + BUSY_DEADLINE_MS;
    for (let round = 0; ; round += 1) {
      try {
        return attempt();
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        await sleep(Math.min(2 ** round, 25));
      }
    }
  }

  /** Serializes writers: each waits for the previous to finish, success or failure. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function upsertLocal(db: Database.Database, poolId: string, kind: string, id: string, payload: Buffer): void {
  prepared(db, 
    `INSERT INTO local_state (pool_id, kind, id, payload, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
  ).run(poolId, kind, id, payload, Date.now());
}

function toPoolEntry(row: Row): PoolEntry {
  return {
    poolId: String(row.pool_id),
    wrappedDataKey: Buffer.from(row.wrapped_data_key as Uint8Array),
    keyReference: String(row.key_reference),
    lastSequence: Number(row.last_sequence),
    createdAt: Number(row.created_at),
    // Replica fields only on replicas: a primary's entry keeps its original shape (see PoolEntry.role).
    ...(row.role === 'replica'
      ? {
          role: 'replica' as const,
          appliedSequence: Number(row.applied_sequence),
          snapshotProgress: row.snapshot_progress ? (JSON.parse(String(row.snapshot_progress)) as SnapshotProgress) : null,
        }
      : {}),
  };
}

/** Consecutive records of the same kind. */
function runsOfKind(records: SnapshotRecord[]): SnapshotRecord[][] {
  const runs: SnapshotRecord[][] = [];
  for (const record of records) {
    const run = runs[runs.length - 1];
    if (run && run[0]!.kind === record.kind) run.push(record);
    else runs.push([record]);
  }
  return runs;
}

function sortIndexes(indexes: IndexEntry[]): IndexEntry[] {
  const key = (index: IndexEntry) => `${index.route ? 1 : 0}\u0000${index.name}\u0000${index.digest}`;
  return indexes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * A replicated put, outside the change log. Unlike PoolTransaction.put it takes over a unique index
 * or route another record of the pool holds: a fuzzy snapshot can hold the old owner's stale entry,
 * and the primary (where the entry moved without conflict) will send that record's own later
 * change. A route another pool of this region holds (a domain prefix taken here by a pool of its
 * own) stays that pool's: a replica never takes over a local pool's endpoints.
 */
function applyPut(db: Database.Database, poolId: string, kind: string, id: string, payload: Buffer, indexes: IndexEntry[]): void {
  prepared(db, `DELETE FROM ${INDEXES_OF_RECORD} WHERE pool_id = ? AND kind = ? AND id = ?`).run(poolId, kind, id);
  prepared(db, 'DELETE FROM routes WHERE pool_id = ? AND kind = ? AND id = ?').run(poolId, kind, id);
  for (const index of indexes) {
    if (index.route) {
      prepared(db, 'INSERT INTO routes (name, value, pool_id, kind, id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, value) DO UPDATE SET pool_id = excluded.pool_id, kind = excluded.kind, id = excluded.id WHERE routes.pool_id = excluded.pool_id')
        .run(index.name, index.digest, poolId, kind, id);
      continue;
    }
    if (index.unique) prepared(db, 'DELETE FROM record_indexes WHERE pool_id = ? AND kind = ? AND name = ? AND digest = ? AND is_unique = 1').run(poolId, kind, index.name, index.digest);
    prepared(db, 'INSERT INTO record_indexes (pool_id, kind, name, digest, id, is_unique) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(poolId, kind, index.name, index.digest, id, index.unique ? 1 : 0);
  }
  prepared(db, 'INSERT INTO records (pool_id, kind, id, payload) VALUES (?, ?, ?, ?) ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload')
    .run(poolId, kind, id, payload);
}

function applyDelete(db: Database.Database, poolId: string, kind: string, id: string): void {
  for (const table of ['records', INDEXES_OF_RECORD, 'routes']) {
    prepared(db, `DELETE FROM ${table} WHERE pool_id = ? AND kind = ? AND id = ?`).run(poolId, kind, id);
  }
}

function toRecord(row: Row): StoredRecord {
  return { kind: String(row.kind), id: String(row.id), payload: blob(row.payload) };
}

/** A BLOB column: better-sqlite3 returns a fresh Buffer per row, so it is used as is, not copied. */
function blob(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
}

class SqliteTransaction implements PoolTransaction {
  /** The sequence of the last change-log entry this transaction appended (0: none yet). */
  appendedSequence = 0;

  constructor(
    private readonly db: Database.Database,
    readonly poolId: string,
    private readonly writable: boolean,
  ) {}

  async get(kind: string, id: string): Promise<StoredRecord | null> {
    const row = prepared(this.db, 'SELECT kind, id, payload FROM records WHERE pool_id = ? AND kind = ? AND id = ?')
      .get(this.poolId, kind, id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async findIds(kind: string, name: string, digest: string, limit = 100): Promise<string[]> {
    const rows = prepared(this.db, 'SELECT id FROM record_indexes WHERE pool_id = ? AND kind = ? AND name = ? AND digest = ? ORDER BY id LIMIT ?')
      .all(this.poolId, kind, name, digest, limit) as Row[];
    return rows.map((row) => String(row.id));
  }

  async list(kind: string, after: string | null, limit: number): Promise<ListPage> {
    const rows = prepared(this.db, 'SELECT kind, id, payload FROM records WHERE pool_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?')
      .all(this.poolId, kind, after ?? '', limit + 1) as Row[];
    return page(rows.map(toRecord), limit);
  }

  async listByIndex(kind: string, name: string, digest: string, after: string | null, limit: number): Promise<ListPage> {
    const rows = prepared(this.db, 
        `SELECT r.kind, r.id, r.payload FROM record_indexes i
         JOIN records r ON r.pool_id = i.pool_id AND r.kind = i.kind AND r.id = i.id
         WHERE i.pool_id = ? AND i.kind = ? AND i.name = ? AND i.digest = ? AND i.id > ?
         ORDER BY i.id LIMIT ?`,
      )
      .all(this.poolId, kind, name, digest, after ?? '', limit + 1) as Row[];
    return page(rows.map(toRecord), limit);
  }

  async count(kind: string): Promise<number> {
    const row = prepared(this.db, 'SELECT COUNT(*) AS n FROM records WHERE pool_id = ? AND kind = ?')
      .get(this.poolId, kind) as Row;
    return Number(row.n);
  }

  async put(kind: string, id: string, payload: Buffer, indexes: IndexEntry[]): Promise<void> {
    this.assertWritable();
    // Called inside the open transaction, better-sqlite3 runs this as a savepoint: the put is
    // all-or-nothing, so a caller who catches UniqueIndexViolation still finds the record and its
    // indexes as they were (the old indexes are deleted before the new ones can conflict).
    this.db.transaction(() => {
      prepared(this.db, `DELETE FROM ${INDEXES_OF_RECORD} WHERE pool_id = ? AND kind = ? AND id = ?`).run(this.poolId, kind, id);
      const insertIndex = prepared(this.db, 
        'INSERT INTO record_indexes (pool_id, kind, name, digest, id, is_unique) VALUES (?, ?, ?, ?, ?, ?)',
      );
      prepared(this.db, 'DELETE FROM routes WHERE pool_id = ? AND kind = ? AND id = ?').run(this.poolId, kind, id);
      const insertRoute = prepared(this.db, 'INSERT INTO routes (name, value, pool_id, kind, id) VALUES (?, ?, ?, ?, ?)');
      for (const index of indexes) {
        try {
          if (index.route) insertRoute.run(index.name, index.digest, this.poolId, kind, id);
          else insertIndex.run(this.poolId, kind, index.name, index.digest, id, index.unique ? 1 : 0);
        } catch (error) {
          if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
            throw new UniqueIndexViolation(kind, index.name);
          }
          throw error;
        }
      }
      prepared(this.db, 'INSERT INTO records (pool_id, kind, id, payload) VALUES (?, ?, ?, ?) ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload')
        .run(this.poolId, kind, id, payload);
      this.appendChange(kind, id, 'put', payload, indexes);
    })();
  }

  async delete(kind: string, id: string): Promise<boolean> {
    this.assertWritable();
    const removed = prepared(this.db, 'DELETE FROM records WHERE pool_id = ? AND kind = ? AND id = ?').run(this.poolId, kind, id).changes > 0;
    if (!removed) return false;
    prepared(this.db, `DELETE FROM ${INDEXES_OF_RECORD} WHERE pool_id = ? AND kind = ? AND id = ?`).run(this.poolId, kind, id);
    prepared(this.db, 'DELETE FROM routes WHERE pool_id = ? AND kind = ? AND id = ?').run(this.poolId, kind, id);
    this.appendChange(kind, id, 'delete', null, []);
    return true;
  }

  async setWrappedDataKey(wrappedDataKey: Buffer, keyReference: string): Promise<void> {
    this.assertWritable();
    prepared(this.db, 'UPDATE pools SET wrapped_data_key = ?, key_reference = ? WHERE pool_id = ?')
      .run(wrappedDataKey, keyReference, this.poolId);
    this.appendChange(POOL_KEY_CHANGE_KIND, this.poolId, 'put', wrappedDataKey, []);
  }

  private appendChange(kind: string, id: string, operation: 'put' | 'delete', payload: Buffer | null, indexes: IndexEntry[]): void {
    const row = prepared(this.db, 'UPDATE pools SET last_sequence = last_sequence + 1, revision = ? WHERE pool_id = ? RETURNING last_sequence')
      .get(randomUUID(), this.poolId) as Row | undefined;
    if (!row) throw new PoolMissing(this.poolId);
    const sequence = Number(row.last_sequence);
    prepared(this.db, 'INSERT INTO change_log (pool_id, sequence, kind, id, operation, payload, indexes, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(this.poolId, sequence, kind, id, operation, payload, JSON.stringify(indexes), Date.now());
    this.appendedSequence = sequence;
  }

  private assertWritable(): void {
    if (!this.writable) throw new Error('write attempted in a read-only store view');
  }
}

function page(records: StoredRecord[], limit: number): ListPage {
  if (records.length <= limit) return { records, nextAfter: null };
  const kept = records.slice(0, limit);
  return { records: kept, nextAfter: kept[kept.length - 1]!.id };
}
