import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CommitListeners, type CommitListener } from '../commit-listeners.ts';
import { loadMigrations } from '../migration-files.ts';
import { FreshReadSharing } from './fresh-read-sharing.ts';
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
  type ChangeOperation,
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

/** How long a statement waits for a pooled connection (pg's connectionTimeoutMillis). */
const CONNECTION_WAIT_MS = 30_000;

/** How long a shared pool-version read may take before its callers fail (and its connection is dropped). */
const VERSION_READ_TIMEOUT_MS = CONNECTION_WAIT_MS;

const POOL_VERSION_SQL = `SELECT ${POOL_VERSION_EXPRESSION} AS version FROM pools WHERE pool_id = $1`;

type Row = Record<string, unknown>;

export interface PostgresStoreOptions {
  /** Schema to keep every table in (created by migrate()); lets tests and tenants share a database. */
  schema?: string;
  /** How long a shared pool-version read may take (default 30 s); tests shorten it. */
  versionReadTimeoutMs?: number;
}

/**
 * Schema names go into a startup parameter and into DDL unquoted, so only plain lower-case
 * identifiers are accepted: they need no quoting and fold to themselves.
 */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** First half of the two-part advisory-lock key used while migrating ("MR"); the schema hash is the second. */
const MIGRATION_LOCK_NAMESPACE = 0x4d52;

/**
 * First half of the advisory-lock key of a region-local value during updateLocal ("LS"); the
 * second is a hash of (pool, kind, id). A hash collision only makes two unrelated updates wait
 * for each other.
 */
const LOCAL_STATE_LOCK_NAMESPACE = 0x4c53;

/** SQLSTATE unique_violation (PostgreSQL Appendix A, Error Codes). */
const UNIQUE_VIOLATION = '23505';

/**
 * Production store on a `pg` connection pool. Several `meridian serve` processes may share one
 * database, so everything that SQLite gets from its single in-process writer is done here with
 * database locks instead:
 *
 * - a pool's transactions are serialized by locking its `pools` row first, which both checks that
 *   the pool exists and orders every transaction of that pool, across processes;
 * - the change-log sequence comes from `pools.last_sequence` under that lock, so it is gap-free, and
 *   because the lock is released only after the commit is visible, readers of the change log can
 *   never see entry n+1 before entry n;
 * - migrations run under an advisory lock so processes starting together do not race.
 */
export class PostgresStore implements Store, CommitAnnouncer {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private readonly versionReadTimeoutMs: number;
  private readonly commits = new CommitListeners();
  /**
   * One version read per round trip per pool, however many requests ask (fresh-read-sharing.ts).
   * A named statement: each connection prepares it once, and later reads skip sending and
   * answering Parse and PostgreSQL's parse and analysis (in bench/oauth this read is all of a
   * grant's database work). Its result is one text column, so a migration run meanwhile by another
   * server cannot invalidate the prepared plan's row type. Timed out, because every request of the
   * pool waits on the read in flight: one that never answered (a half-open connection) would
   * otherwise stall them all, where unshared it stalled only its own request.
   */
  private readonly poolVersions = new FreshReadSharing<string | null>(async (poolId) => {
    // node-postgres reads query_timeout per query; its types know it only as a connection setting.
    const query: pg.QueryConfig & { query_timeout: number } = { name: 'pool-version', text: POOL_VERSION_SQL, values: [poolId], query_timeout: this.versionReadTimeoutMs };
    const { rows } = await this.pool.query<Row>(query);
    return rows[0] ? String(rows[0].version) : null;
  });

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    const { schema } = options;
    if (schema !== undefined && !PLAIN_IDENTIFIER.test(schema)) {
      throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
    }
    this.schema = schema;
    this.versionReadTimeoutMs = options.versionReadTimeoutMs ?? VERSION_READ_TIMEOUT_MS;
    this.pool = new pg.Pool({
      connectionString,
      // A startup parameter rather than a SET after connecting: the server applies it before the
      // first statement, so no connection can ever run a query against the wrong schema. (A
      // non-existent schema in search_path is not an error, which lets migrate() create it.)
      // pg lets an `options` parameter in the URL override this one, so do not combine the two.
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
      // Waiting for a free connection fails after this long instead of forever: if some path ever
      // holds connections while waiting for more, requests fail (and say so) rather than hang.
      connectionTimeoutMillis: CONNECTION_WAIT_MS,
    });
    // A pooled idle connection that the server drops emits 'error' on the pool; unhandled, that
    // would crash the process. The pool already discards the client and reconnects on demand.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.withTransaction(async (client) => {
      // Transaction-scoped, so COMMIT or ROLLBACK releases it. A second process blocks here and
      // then finds the first one's migrations already recorded.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, this.schema ?? '']);
      if (this.schema !== undefined) await this.createSchemaIfMissing(client, this.schema);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await client.query<Row>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((row) => Number(row.version)));
      // DDL is transactional in PostgreSQL, and all pending migrations share this transaction: a
      // failing one leaves the schema exactly as it was.
      for (const migration of loadMigrations('postgres')) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
    });
  }

  /** In-process only: another server sharing the database announces its commits to itself. */
  onCommit(listener: CommitListener): () => void {
    return this.commits.add(listener);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async createPool<T>(entry: NewPoolEntry, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    let appended = 0;
    const result = await this.withTransaction(async (client) => {
      // ON CONFLICT rather than a prior SELECT: a concurrent creator of the same id makes this wait
      // for its outcome, so exactly one of two simultaneous createPool calls wins.
      const inserted = await client.query(
        `INSERT INTO pools (pool_id, wrapped_data_key, key_reference, last_sequence, created_at, revision)
         VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (pool_id) DO NOTHING`,
        [entry.poolId, entry.wrappedDataKey, entry.keyReference, entry.createdAt, randomUUID()],
      );
      if (inserted.rowCount === 0) throw new PoolAlreadyExists(entry.poolId);
      const tx = new PostgresTransaction(client, entry.poolId, true);
      const value = await runWork(tx, work);
      appended = tx.appendedSequence;
      return value;
    });
    if (appended > 0) this.commits.announce(entry.poolId, appended);
    return result;
  }

  poolVersion(poolId: string): Promise<string | null> {
    return this.poolVersions.get(poolId);
  }

  async getPool(poolId: string): Promise<PoolEntry | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM pools WHERE pool_id = $1', [poolId]);
    return rows[0] ? toPoolEntry(rows[0]) : null;
  }

  async listPools(after: string | null, limit: number): Promise<PoolEntry[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM pools WHERE pool_id > $1 ORDER BY pool_id LIMIT $2', [
      after ?? '',
      limit,
    ]);
    return rows.map(toPoolEntry);
  }

  async listReplicaPools(after: string | null, limit: number): Promise<PoolEntry[]> {
    const { rows } = await this.pool.query<Row>("SELECT * FROM pools WHERE role = 'replica' AND pool_id > $1 ORDER BY pool_id LIMIT $2", [after ?? '', limit]);
    return rows.map(toPoolEntry);
  }

  async deletePool(poolId: string): Promise<boolean> {
    return this.withTransaction(async (client) => {
      // The pool row goes first: that waits for the pool's running transaction (which holds the
      // row lock) and makes later ones fail with PoolMissing, so the deletes below see every
      // committed record and nothing can be added behind them.
      const deleted = await client.query('DELETE FROM pools WHERE pool_id = $1', [poolId]);
      for (const table of ['records', 'record_indexes', 'change_log', 'routes', 'local_state']) {
        await client.query(`DELETE FROM ${table} WHERE pool_id = $1`, [poolId]);
      }
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async transaction<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    let appended = 0;
    const result = await this.withTransaction(async (client) => {
      // Locking the row up front (not only when the first change is logged) serializes the whole
      // transaction, reads included, as SQLite's single writer does; otherwise two concurrent
      // read-modify-write transactions under READ COMMITTED could both read the old value.
      // NO KEY UPDATE is the lock the later `UPDATE pools SET last_sequence` takes anyway.
      const locked = await client.query('SELECT 1 FROM pools WHERE pool_id = $1 FOR NO KEY UPDATE', [poolId]);
      if (locked.rowCount === 0) throw new PoolMissing(poolId);
      const tx = new PostgresTransaction(client, poolId, true);
      const value = await runWork(tx, work);
      appended = tx.appendedSequence;
      return value;
    });
    // After COMMIT has returned: a reader woken by this sees the change.
    if (appended > 0) this.commits.announce(poolId, appended);
    return result;
  }

  async read<T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    // Each statement of a read view takes a pooled connection only while it runs. A view that
    // held one connection for all of `work` deadlocked the pool: `work` can take long (a sign-in
    // verifies a password in it) and use the store again (lockout counters), so as many
    // concurrent views as the pool has connections each held one and waited for another. Under
    // READ COMMITTED without BEGIN, each statement saw its own snapshot anyway.
    return runWork(new PostgresTransaction(this.pool, poolId, false), work);
  }

  async findRoute(name: string, value: string): Promise<RouteTarget | null> {
    const { rows } = await this.pool.query<Row>('SELECT pool_id, kind, id FROM routes WHERE name = $1 AND value = $2', [name, value]);
    return rows[0] ? { poolId: String(rows[0].pool_id), kind: String(rows[0].kind), id: String(rows[0].id) } : null;
  }

  async getLocal(poolId: string, kind: string, id: string): Promise<Buffer | null> {
    const { rows } = await this.pool.query<Row>('SELECT payload FROM local_state WHERE pool_id = $1 AND kind = $2 AND id = $3', [poolId, kind, id]);
    return rows[0] ? Buffer.from(rows[0].payload as Uint8Array) : null;
  }

  async putLocal(poolId: string, kind: string, id: string, payload: Buffer): Promise<void> {
    await this.pool.query(
      `INSERT INTO local_state (pool_id, kind, id, payload, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      [poolId, kind, id, payload, Date.now()],
    );
  }

  async updateLocal<T>(poolId: string, kind: string, id: string, update: (current: Buffer | null) => LocalUpdate<T>): Promise<T> {
    return this.withTransaction(async (client) => {
      // A transaction-scoped advisory lock rather than SELECT ... FOR UPDATE: it also orders two
      // first writers of a value that has no row yet. Not the pools row lock: an update made while
      // the same pool's transaction is open elsewhere in this process would wait for itself.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCAL_STATE_LOCK_NAMESPACE, `${poolId}/${kind}/${id}`]);
      const { rows } = await client.query<Row>('SELECT payload FROM local_state WHERE pool_id = $1 AND kind = $2 AND id = $3', [poolId, kind, id]);
      const decided = update(rows[0] ? Buffer.from(rows[0].payload as Uint8Array) : null);
      if (decided.payload) {
        await client.query(
          `INSERT INTO local_state (pool_id, kind, id, payload, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
          [poolId, kind, id, decided.payload, Date.now()],
        );
      }
      return decided.result;
    });
  }

  async listLocal(poolId: string, kind: string, after: string | null, limit: number): Promise<ListPage> {
    const { rows } = await this.pool.query<Row>(
      'SELECT kind, id, payload FROM local_state WHERE pool_id = $1 AND kind = $2 AND id > $3 ORDER BY id LIMIT $4',
      [poolId, kind, after ?? '', limit + 1],
    );
    return toPage(rows.map(toRecord), limit);
  }

  async deleteLocal(poolId: string, kind: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM local_state WHERE pool_id = $1 AND kind = $2 AND id = $3', [poolId, kind, id]);
    return (rowCount ?? 0) > 0;
  }

  async readChanges(poolId: string, afterSequence: number, limit: number): Promise<ChangeEntry[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM change_log WHERE pool_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3',
      [poolId, afterSequence, limit],
    );
    return rows.map(toChangeEntry);
  }

  async snapshot(poolId: string, after: SnapshotCursor | null, limit: number, options: SnapshotOptions = {}): Promise<SnapshotPage | null> {
    // REPEATABLE READ: the pool row, the count, the records and their indexes are one snapshot.
    return this.withTransaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const poolRows = (await client.query<Row>('SELECT * FROM pools WHERE pool_id = $1', [poolId])).rows;
      if (!poolRows[0]) return null;
      const { rows } = after
        ? await client.query<Row>('SELECT kind, id, payload FROM records WHERE pool_id = $1 AND (kind, id) > ($2, $3) ORDER BY kind, id LIMIT $4', [poolId, after.kind, after.id, limit + 1])
        : await client.query<Row>('SELECT kind, id, payload FROM records WHERE pool_id = $1 ORDER BY kind, id LIMIT $2', [poolId, limit + 1]);
      const more = rows.length > limit;
      const records = rows.slice(0, limit).map(toRecord);
      const kinds = records.map((record) => record.kind);
      const ids = records.map((record) => record.id);
      const indexRows = (await client.query<Row>(
        `SELECT kind, id, name, digest, is_unique FROM record_indexes
         WHERE pool_id = $1 AND (kind, id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [poolId, kinds, ids],
      )).rows;
      const routeRows = (await client.query<Row>(
        `SELECT kind, id, name, value FROM routes
         WHERE pool_id = $1 AND (kind, id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [poolId, kinds, ids],
      )).rows;
      const byRecord = new Map<string, IndexEntry[]>();
      const entriesOf = (row: Row) => {
        const key = JSON.stringify([String(row.kind), String(row.id)]);
        let list = byRecord.get(key);
        if (!list) byRecord.set(key, (list = []));
        return list;
      };
      for (const row of indexRows) entriesOf(row).push({ name: String(row.name), digest: String(row.digest), unique: row.is_unique === true });
      for (const row of routeRows) entriesOf(row).push({ name: String(row.name), digest: String(row.value), unique: true, route: true });
      const total = options.countRecords === false ? -1 : Number((await client.query<Row>('SELECT COUNT(*) AS n FROM records WHERE pool_id = $1', [poolId])).rows[0]!.n);
      const withIndexes: SnapshotRecord[] = records.map((record) => ({
        ...record,
        indexes: sortIndexes(byRecord.get(JSON.stringify([record.kind, record.id])) ?? []),
      }));
      const last = withIndexes[withIndexes.length - 1];
      return { pool: toPoolEntry(poolRows[0]), records: withIndexes, next: more && last ? { kind: last.kind, id: last.id } : null, totalRecords: total };
    });
  }

  async createReplicaPool(entry: NewPoolEntry, appliedSequence: number): Promise<void> {
    const progress: SnapshotProgress = { complete: false, after: null, copiedRecords: 0, totalRecords: 0 };
    const inserted = await this.pool.query(
      `INSERT INTO pools (pool_id, wrapped_data_key, key_reference, last_sequence, created_at, role, applied_sequence, snapshot_progress, revision)
       VALUES ($1, $2, $3, 0, $4, 'replica', $5, $6, $7) ON CONFLICT (pool_id) DO NOTHING`,
      [entry.poolId, entry.wrappedDataKey, entry.keyReference, entry.createdAt, appliedSequence, JSON.stringify(progress), randomUUID()],
    );
    if (inserted.rowCount === 0) throw new PoolAlreadyExists(entry.poolId);
  }

  async applySnapshotPage(poolId: string, records: SnapshotRecord[], progress: SnapshotProgress): Promise<void> {
    await this.withTransaction(async (client) => {
      await relaxReplicaCommit(client);
      await lockReplica(client, poolId);
      for (const record of records) await applyPut(client, poolId, record.kind, record.id, record.payload, record.indexes);
      await client.query('UPDATE pools SET snapshot_progress = $1, revision = $3 WHERE pool_id = $2', [JSON.stringify(progress), poolId, randomUUID()]);
    });
  }

  async applyChanges(poolId: string, changes: ReplicatedChange[]): Promise<number> {
    return this.withTransaction(async (client) => {
      await relaxReplicaCommit(client);
      // The row lock serializes appliers of this pool (two pullers, or a puller and a restart).
      let applied = await lockReplica(client, poolId);
      for (const change of changes) {
        if (change.sequence <= applied) continue;
        if (change.sequence !== applied + 1) throw new ReplicationGap(poolId, applied + 1, change.sequence);
        if (change.poolId !== poolId) throw new Error(`change ${change.sequence} belongs to pool ${change.poolId}, not ${poolId}`);
        if (change.kind === POOL_KEY_CHANGE_KIND) {
          if (!change.payload) throw new Error(`key change ${change.sequence} has no wrapped key`);
          await client.query('UPDATE pools SET wrapped_data_key = $1, key_reference = COALESCE($2, key_reference) WHERE pool_id = $3', [
            change.payload,
            change.keyReference ?? null,
            poolId,
          ]);
        } else if (change.operation === 'delete') {
          for (const table of ['records', 'record_indexes', 'routes']) {
            await client.query(`DELETE FROM ${table} WHERE pool_id = $1 AND kind = $2 AND id = $3`, [poolId, change.kind, change.id]);
          }
        } else {
          if (!change.payload) throw new Error(`put change ${change.sequence} has no payload`);
          await applyPut(client, poolId, change.kind, change.id, change.payload, change.indexes);
        }
        applied = change.sequence;
      }
      await client.query('UPDATE pools SET applied_sequence = $1, revision = $3 WHERE pool_id = $2', [applied, poolId, randomUUID()]);
      return applied;
    });
  }

  /**
   * Looked up first because CREATE SCHEMA IF NOT EXISTS demands the CREATE privilege on the database
   * even when the schema exists, which a deployment's runtime role may rightly lack.
   */
  private async createSchemaIfMissing(client: pg.PoolClient, schema: string): Promise<void> {
    const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (existing.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
  }

  /**
   * Runs `body` between BEGIN and COMMIT on one pooled connection, rolling back on any error. A
   * connection whose COMMIT or ROLLBACK did not complete is destroyed rather than returned to the
   * pool, so an unfinished transaction can never leak into the next borrower's work.
   */
  private async withTransaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let reusable = false;
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await body(client);
      } catch (error) {
        try {
          await client.query('ROLLBACK');
          reusable = true;
        } catch {
          // The connection is broken and will be destroyed; the caller needs the original error.
        }
        throw error;
      }
      const commit = await client.query('COMMIT');
      reusable = true;
      // COMMIT of a transaction that an earlier statement aborted is answered with ROLLBACK, not
      // an error: if `work` swallowed a database error, its writes are gone and the caller must
      // not be told they were saved.
      if (commit.command === 'ROLLBACK') throw new Error('transaction was aborted by an earlier error and rolled back');
      return result;
    } finally {
      client.release(!reusable);
    }
  }
}

/**
 * A replica's applies commit without waiting for the WAL flush (synchronous_commit off, this
 * transaction only): still atomic, and a crash can only lose the newest applies, which the
 * primary's log sends again because the applied sequence is lost with them.
 */
async function relaxReplicaCommit(client: pg.PoolClient): Promise<void> {
  await client.query('SET LOCAL synchronous_commit = off');
}

/** Locks a replica pool's row and returns its applied sequence; PoolMissing / PoolRoleMismatch otherwise. */
async function lockReplica(client: pg.PoolClient, poolId: string): Promise<number> {
  const { rows } = await client.query<Row>('SELECT role, applied_sequence FROM pools WHERE pool_id = $1 FOR NO KEY UPDATE', [poolId]);
  if (!rows[0]) throw new PoolMissing(poolId);
  if (rows[0].role !== 'replica') throw new PoolRoleMismatch(poolId, 'primary');
  return Number(rows[0].applied_sequence);
}

/**
 * A replicated put, outside the change log. Unlike PoolTransaction.put it takes over a unique index
 * or route another record of the pool holds: a fuzzy snapshot can hold the old owner's stale entry,
 * and the primary (where the entry moved without conflict) will send that record's own later
 * change. A route another pool of this region holds (a domain prefix taken here by a pool of its
 * own) stays that pool's: a replica never takes over a local pool's endpoints.
 */
async function applyPut(client: pg.PoolClient, poolId: string, kind: string, id: string, payload: Buffer, indexes: IndexEntry[]): Promise<void> {
  await client.query('DELETE FROM record_indexes WHERE pool_id = $1 AND kind = $2 AND id = $3', [poolId, kind, id]);
  await client.query('DELETE FROM routes WHERE pool_id = $1 AND kind = $2 AND id = $3', [poolId, kind, id]);
  for (const index of indexes) {
    if (index.route) {
      await client.query(
        `INSERT INTO routes (name, value, pool_id, kind, id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name, value) DO UPDATE SET pool_id = excluded.pool_id, kind = excluded.kind, id = excluded.id WHERE routes.pool_id = excluded.pool_id`,
        [index.name, index.digest, poolId, kind, id],
      );
      continue;
    }
    if (index.unique) {
      await client.query('DELETE FROM record_indexes WHERE pool_id = $1 AND kind = $2 AND name = $3 AND digest = $4 AND is_unique', [poolId, kind, index.name, index.digest]);
    }
    await client.query(
      'INSERT INTO record_indexes (pool_id, kind, name, digest, id, is_unique) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [poolId, kind, index.name, index.digest, id, index.unique],
    );
  }
  await client.query(
    'INSERT INTO records (pool_id, kind, id, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload',
    [poolId, kind, id, payload],
  );
}

function sortIndexes(indexes: IndexEntry[]): IndexEntry[] {
  const key = (index: IndexEntry) => `${index.route ? 1 : 0}\u0000${index.name}\u0000${index.digest}`;
  return indexes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Runs the caller's work, then closes the handle so a leaked reference cannot reach the released connection. */
async function runWork<T>(tx: PostgresTransaction, work: (tx: PoolTransaction) => Promise<T>): Promise<T> {
  try {
    return await work(tx);
  } finally {
    await tx.finish();
  }
}

/** The PoolTransaction handed to `work`; `writable` is false for `read()` views. */
class PostgresTransaction implements PoolTransaction {
  /** The sequence of the last change-log entry this transaction appended (0: none yet). */
  appendedSequence = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private finished = false;

  constructor(
    /** A transaction's own connection, or for a read view the pool (a connection per statement). */
    private readonly client: pg.PoolClient | pg.Pool,
    readonly poolId: string,
    private readonly writable: boolean,
  ) {}

  get(kind: string, id: string): Promise<StoredRecord | null> {
    return this.serial(async () => {
      const rows = await this.rows('SELECT kind, id, payload FROM records WHERE pool_id = $1 AND kind = $2 AND id = $3', [
        this.poolId,
        kind,
        id,
      ]);
      return rows[0] ? toRecord(rows[0]) : null;
    });
  }

  findIds(kind: string, name: string, digest: string, limit = 100): Promise<string[]> {
    return this.serial(async () => {
      const rows = await this.rows(
        'SELECT id FROM record_indexes WHERE pool_id = $1 AND kind = $2 AND name = $3 AND digest = $4 ORDER BY id LIMIT $5',
        [this.poolId, kind, name, digest, limit],
      );
      return rows.map((row) => String(row.id));
    });
  }

  list(kind: string, after: string | null, limit: number): Promise<ListPage> {
    return this.serial(async () => {
      // One row more than asked tells whether another page exists without a second query.
      const rows = await this.rows(
        'SELECT kind, id, payload FROM records WHERE pool_id = $1 AND kind = $2 AND id > $3 ORDER BY id LIMIT $4',
        [this.poolId, kind, after ?? '', limit + 1],
      );
      return toPage(rows.map(toRecord), limit);
    });
  }

  listByIndex(kind: string, name: string, digest: string, after: string | null, limit: number): Promise<ListPage> {
    return this.serial(async () => {
      const rows = await this.rows(
        `SELECT r.kind, r.id, r.payload FROM record_indexes i
         JOIN records r ON r.pool_id = i.pool_id AND r.kind = i.kind AND r.id = i.id
         WHERE i.pool_id = $1 AND i.kind = $2 AND i.name = $3 AND i.digest = $4 AND i.id > $5
         ORDER BY i.id LIMIT $6`,
        [this.poolId, kind, name, digest, after ?? '', limit + 1],
      );
      return toPage(rows.map(toRecord), limit);
    });
  }

  count(kind: string): Promise<number> {
    return this.serial(async () => {
      const rows = await this.rows('SELECT COUNT(*) AS n FROM records WHERE pool_id = $1 AND kind = $2', [this.poolId, kind]);
      return Number(rows[0]!.n);
    });
  }

  put(kind: string, id: string, payload: Buffer, indexes: IndexEntry[]): Promise<void> {
    return this.serial(async () => {
      this.assertWritable();
      await this.assertIndexesFree(kind, id, indexes);
      await this.rows('DELETE FROM record_indexes WHERE pool_id = $1 AND kind = $2 AND id = $3', [this.poolId, kind, id]);
      await this.rows('DELETE FROM routes WHERE pool_id = $1 AND kind = $2 AND id = $3', [this.poolId, kind, id]);
      for (const index of indexes) {
        if (index.route) {
          await this.rows('INSERT INTO routes (name, value, pool_id, kind, id) VALUES ($1, $2, $3, $4, $5)', [index.name, index.digest, this.poolId, kind, id]);
          continue;
        }
        try {
          await this.rows('INSERT INTO record_indexes (pool_id, kind, name, digest, id, is_unique) VALUES ($1, $2, $3, $4, $5, $6)', [
            this.poolId,
            kind,
            index.name,
            index.digest,
            id,
            index.unique,
          ]);
        } catch (error) {
          // assertIndexesFree should make this unreachable; kept so that a conflict it missed still
          // surfaces as the typed error (though the transaction is then aborted).
          if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new UniqueIndexViolation(kind, index.name);
          throw error;
        }
      }
      await this.rows(
        `INSERT INTO records (pool_id, kind, id, payload) VALUES ($1, $2, $3, $4)
         ON CONFLICT (pool_id, kind, id) DO UPDATE SET payload = excluded.payload`,
        [this.poolId, kind, id, payload],
      );
      await this.appendChange(kind, id, 'put', payload, indexes);
    });
  }

  delete(kind: string, id: string): Promise<boolean> {
    return this.serial(async () => {
      this.assertWritable();
      const removed = await this.client.query('DELETE FROM records WHERE pool_id = $1 AND kind = $2 AND id = $3', [
        this.poolId,
        kind,
        id,
      ]);
      if (removed.rowCount === 0) return false;
      await this.rows('DELETE FROM record_indexes WHERE pool_id = $1 AND kind = $2 AND id = $3', [this.poolId, kind, id]);
      await this.rows('DELETE FROM routes WHERE pool_id = $1 AND kind = $2 AND id = $3', [this.poolId, kind, id]);
      await this.appendChange(kind, id, 'delete', null, []);
      return true;
    });
  }

  setWrappedDataKey(wrappedDataKey: Buffer, keyReference: string): Promise<void> {
    return this.serial(async () => {
      this.assertWritable();
      await this.rows('UPDATE pools SET wrapped_data_key = $1, key_reference = $2 WHERE pool_id = $3', [
        wrappedDataKey,
        keyReference,
        this.poolId,
      ]);
      // Replicas learn about the new key through the change log like any record.
      await this.appendChange(POOL_KEY_CHANGE_KIND, this.poolId, 'put', wrappedDataKey, []);
    });
  }

  /** Refuses further calls and waits for those already running; called when `work` settles. */
  async finish(): Promise<void> {
    this.finished = true;
    await this.tail;
  }

  /**
   * Runs one operation after the previous one has finished. A pg client pipelines whatever it is
   * given, so a caller's `Promise.all([tx.put(a), tx.put(b)])` would otherwise interleave the
   * statements of the two puts, letting both pass the unique-index check before either inserts.
   * On SQLite each call is synchronous and so contiguous anyway; this gives the same here.
   */
  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.finished) throw new Error('store transaction used after it ended');
      return operation();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.client.query<Row>(sql, params)).rows;
  }

  /**
   * Throws UniqueIndexViolation where the insert of `indexes` would, but before anything is
   * written: a failed statement aborts the whole PostgreSQL transaction, whereas a caller who catches
   * the violation must keep a usable transaction in which this put changed nothing, as on SQLite. (A
   * savepoint per put would also do, but costs a subtransaction each, which bulk imports would pay
   * thousands of times.) The check cannot race: every writer of this pool holds its row lock.
   */
  private async assertIndexesFree(kind: string, id: string, indexes: IndexEntry[]): Promise<void> {
    const listed = new Set<string>();
    for (const index of indexes) {
      // The same name+digest twice would collide with itself on the primary key.
      const key = JSON.stringify([index.name, index.digest]);
      if (listed.has(key)) throw new UniqueIndexViolation(kind, index.name);
      listed.add(key);
      if (index.route) {
        // Routes are region-wide, so the check is not covered by this pool's row lock; the insert's
        // primary key still refuses a race, at the cost of aborting the transaction.
        const routed = await this.rows('SELECT pool_id, kind, id FROM routes WHERE name = $1 AND value = $2', [index.name, index.digest]);
        const holder = routed[0];
        if (holder && !(holder.pool_id === this.poolId && holder.kind === kind && holder.id === id)) throw new UniqueIndexViolation(kind, index.name);
        continue;
      }
      if (!index.unique) continue;
      // The partial unique index's rule: no other record of this kind holds the name+digest as unique.
      const taken = await this.rows(
        `SELECT 1 FROM record_indexes
         WHERE pool_id = $1 AND kind = $2 AND name = $3 AND digest = $4 AND is_unique AND id <> $5 LIMIT 1`,
        [this.poolId, kind, index.name, index.digest, id],
      );
      if (taken.length > 0) throw new UniqueIndexViolation(kind, index.name);
    }
  }

  /**
   * Takes the next sequence number and writes the entry in one statement. The casts are needed
   * because parameters in a SELECT list get no type from the INSERT's target columns.
   */
  private async appendChange(
    kind: string,
    id: string,
    operation: ChangeOperation,
    payload: Buffer | null,
    indexes: IndexEntry[],
  ): Promise<void> {
    const appended = await this.client.query(
      `WITH next AS (
         UPDATE pools SET last_sequence = last_sequence + 1, revision = $8::text WHERE pool_id = $1 RETURNING last_sequence
       )
       INSERT INTO change_log (pool_id, sequence, kind, id, operation, payload, indexes, at)
       SELECT $1, last_sequence, $2::text, $3::text, $4::text, $5::bytea, $6::text, $7::bigint FROM next
       RETURNING sequence`,
      [this.poolId, kind, id, operation, payload, JSON.stringify(indexes), Date.now(), randomUUID()],
    );
    if (appended.rowCount === 0) throw new PoolMissing(this.poolId);
    this.appendedSequence = Number((appended.rows[0] as Row).sequence);
  }

  private assertWritable(): void {
    if (!this.writable) throw new Error('write attempted in a read-only store view');
  }
}

// pg returns BIGINT as a string (it can exceed 2^53); sequences and millisecond timestamps cannot.
function toPoolEntry(row: Row): PoolEntry {
  return {
    poolId: String(row.pool_id),
    wrappedDataKey: row.wrapped_data_key as Buffer,
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

function toRecord(row: Row): StoredRecord {
  return { kind: String(row.kind), id: String(row.id), payload: row.payload as Buffer };
}

function toChangeEntry(row: Row): ChangeEntry {
  return {
    poolId: String(row.pool_id),
    sequence: Number(row.sequence),
    kind: String(row.kind),
    id: String(row.id),
    operation: row.operation === 'delete' ? 'delete' : 'put',
    payload: (row.payload as Buffer | null) ?? null,
    indexes: JSON.parse(String(row.indexes)) as IndexEntry[],
    at: Number(row.at),
  };
}

function toPage(records: StoredRecord[], limit: number): ListPage {
  if (records.length <= limit) return { records, nextAfter: null };
  const kept = records.slice(0, limit);
  return { records: kept, nextAfter: kept[kept.length - 1]!.id };
}
