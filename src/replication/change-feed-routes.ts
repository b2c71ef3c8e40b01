import type { FastifyInstance, FastifyReply } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { announcesCommits, POOL_KEY_CHANGE_KIND, poolRole, type ChangeEntry, type PoolEntry, type Store } from '../store/store.ts';
import type { CredentialLookup } from '../wire/sigv4-verifier.ts';
import { ChangeWaiters, DEFAULT_MAXIMUM_WAITERS, type HeldRequest } from './change-waiters.ts';
import { decodeCursor, encodeCursor, type ChangesMessage, type SnapshotPageMessage } from './feed-messages.ts';
import { answerReplicationCall, authenticateReplicationCall, poolIdOf, ReplicationRouteError } from './replication-http.ts';

export { REPLICATION_SIGNING_NAME } from './replication-http.ts';

export const MAXIMUM_FEED_LIMIT = 1000;
const DEFAULT_FEED_LIMIT = 100;
/** Longest `waitMs` a changes request may ask for; the puller's default is below it. */
export const MAXIMUM_FEED_WAIT_MS = 30_000;
/**
 * A waiting request re-reads the log this often even without an announcement: commits made by
 * another process sharing the database (several PostgreSQL-backed servers) are not announced here.
 */
const DEFAULT_RECHECK_MS = 1000;

export interface ChangeFeedOptions {
  store: Store;
  /** The replication credentials (shared by the regions), looked up by access key id. */
  credentials: CredentialLookup;
  /** This region: signatures scoped to another region are refused. */
  region?: string;
  /**
   * Long-poll of `/changes` (on by default when the store announces its commits, as both built-in
   * stores do); `false` answers every request at once, as before.
   */
  longPoll?: false | { maximumWaiters?: number; recheckMs?: number };
  /** Where to count long-polls by how they were answered (`meridian_replication_long_polls_total`). */
  metrics?: Registry;
}

/**
 * The primary side of pool replication (a secondary's ReplicaPuller reads it):
 *
 * - `GET /replication/pools/:poolId/snapshot?cursor=&limit=`: one page of the pool's records as
 *   stored (ciphertext, blind indexes, routes) with the pool entry; the first page's
 *   `pool.lastSequence` is where the replica's change stream starts (see Store.snapshot).
 * - `GET /replication/pools/:poolId/changes?after=&limit=&waitMs=`: change-log entries after
 *   `after`. With `waitMs` (up to 30 s) and none to send yet, the request is held until a change
 *   after `after` commits here or `waitMs` passes, so a caught-up secondary hears of a write about
 *   one round trip after its commit instead of after its next poll. Held requests are bounded
 *   (`longPoll.maximumWaiters`, then answered at once) and released when the server closes. The
 *   answer's `waitMs` says how long this primary was willing to hold it (0: it was not).
 *
 * SigV4-signed (service `meridian-replication`); errors `{__type, message}`: 403 unsigned or badly
 * signed, 400 bad parameters, 404 unknown pool, 409 when the pool here is itself a replica (its
 * own log is empty: chained replication is not supported), 503 when the store fails. Never 500.
 */
export function registerChangeFeedRoutes(app: FastifyInstance, options: ChangeFeedOptions): void {
  const waiters = longPollOf(app, options);
  const recheckMs = (options.longPoll && options.longPoll.recheckMs) || DEFAULT_RECHECK_MS;
  const longPolls = options.metrics
    ? new Counter({
        name: 'meridian_replication_long_polls_total',
        help: 'Changes requests that asked to wait and found nothing yet: held, or answered at once (long-poll full, closing or off)',
        labelNames: ['answer'],
        registers: [options.metrics],
      })
    : null;
  app.get<{ Params: { poolId: string } }>('/replication/pools/:poolId/snapshot', async (request, reply) =>
    answerReplicationCall(reply, async () => {
      const { parameters } = await authenticateReplicationCall(request, options.credentials, options.region);
      const poolId = poolIdOf(request.params.poolId);
      const limit = limitOf(parameters.get('limit'));
      const cursorText = parameters.get('cursor');
      const cursor = cursorText ? decodeCursor(cursorText) : null;
      if (cursorText && !cursor) throw new ReplicationRouteError(400, 'InvalidParameterException', 'cursor is not a cursor this feed returned.');
      // Counted on the first page only (the puller keeps that estimate): see SnapshotOptions.
      const page = await options.store.snapshot(poolId, cursor, limit, { countRecords: cursor === null });
      if (!page) throw poolNotFound(poolId);
      if (poolRole(page.pool) === 'replica') throw poolIsReplica(poolId);
      const body: SnapshotPageMessage = {
        pool: {
          poolId: page.pool.poolId,
          wrappedDataKey: page.pool.wrappedDataKey.toString('base64'),
          keyReference: page.pool.keyReference,
          lastSequence: page.pool.lastSequence,
          createdAt: page.pool.createdAt,
        },
        records: page.records.map((record) => ({ kind: record.kind, id: record.id, payload: record.payload.toString('base64'), indexes: record.indexes })),
        nextCursor: page.next ? encodeCursor(page.next) : null,
        totalRecords: page.totalRecords,
      };
      return body;
    }),
  );

  app.get<{ Params: { poolId: string } }>('/replication/pools/:poolId/changes', async (request, reply) =>
    answerReplicationCall(reply, async () => {
      const { parameters } = await authenticateReplicationCall(request, options.credentials, options.region);
      const poolId = poolIdOf(request.params.poolId);
      const limit = limitOf(parameters.get('limit'));
      const afterText = parameters.get('after') ?? '0';
      if (!/^\d{1,15}$/.test(afterText)) throw new ReplicationRouteError(400, 'InvalidParameterException', 'after must be a non-negative integer sequence.');
      const after = Number(afterText);
      const waitMs = waitOf(parameters.get('waitMs'));
      let pool = await primaryPool(options.store, poolId);
      let changes = await options.store.readChanges(poolId, after, limit);
      const asksToWait = changes.length === 0 && waitMs > 0;
      const hold = asksToWait && waiters !== null ? waiters.hold() : null;
      if (asksToWait) longPolls?.inc({ answer: hold ? 'held' : 'at_once' });
      if (hold) {
        try {
          changes = await waitForChanges(hold, { store: options.store, poolId, after, limit, waitMs, recheckMs }, reply);
        } finally {
          hold.release();
        }
        // The pool as it is now: its last sequence and key reference may have moved while waiting.
        pool = await primaryPool(options.store, poolId);
      }
      const body: ChangesMessage = {
        changes: changes.map((change) => ({
          sequence: change.sequence,
          kind: change.kind,
          id: change.id,
          operation: change.operation,
          payload: change.payload === null ? null : change.payload.toString('base64'),
          indexes: change.indexes,
          at: change.at,
          // The change log keeps only the wrapped key of a key change, not which key wraps it; the
          // pool's current reference is sent instead. Exact once the replica has caught up; in
          // between, a replica applying an older key change of a pool that switched providers
          // twice in one batch window may briefly pair that older key with the newer reference.
          ...(change.kind === POOL_KEY_CHANGE_KIND ? { keyReference: pool.keyReference } : {}),
        })),
        lastSequence: Math.max(pool.lastSequence, changes[changes.length - 1]?.sequence ?? 0),
        waitMs: hold ? waitMs : 0,
      };
      return body;
    }),
  );
}

/** The long-poll's waiters, fed by the store's commit announcements; null when not long-polling. */
function longPollOf(app: FastifyInstance, options: ChangeFeedOptions): ChangeWaiters | null {
  const { store, longPoll } = options;
  if (longPoll === false || !announcesCommits(store)) return null;
  const waiters = new ChangeWaiters(longPoll?.maximumWaiters ?? DEFAULT_MAXIMUM_WAITERS);
  const unsubscribe = store.onCommit((poolId, lastSequence) => waiters.announce(poolId, lastSequence));
  // preClose runs before the server stops taking requests and waits for those in flight: held
  // requests are answered (empty) now instead of keeping close() waiting up to their waitMs.
  app.addHook('preClose', async () => {
    unsubscribe();
    waiters.close();
  });
  return waiters;
}

interface ChangeQuery {
  store: Store;
  poolId: string;
  after: number;
  limit: number;
  waitMs: number;
  recheckMs: number;
}

/**
 * Holds the request until changes after `after` can be read, `waitMs` passes, the client goes away
 * or the feed closes; re-reads the log every `recheckMs` even unannounced. Returns what it read last.
 */
async function waitForChanges(hold: HeldRequest, query: ChangeQuery, reply: FastifyReply): Promise<ChangeEntry[]> {
  const deadline = Date.now() + query.waitMs;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  reply.raw.once('close', onClose);
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      const outcome = await hold.wait(query.poolId, query.after, Math.min(remaining, query.recheckMs), gone.signal);
      if (outcome === 'aborted') return [];
      const changes = await query.store.readChanges(query.poolId, query.after, query.limit);
      // The server is closing and waits for this response: without `close` the kept-alive
      // connection would hold close() open until the keep-alive timeout.
      if (hold.feedClosed()) reply.header('connection', 'close');
      if (changes.length > 0 || outcome === 'closed') return changes;
    }
  } finally {
    reply.raw.off('close', onClose);
  }
}

async function primaryPool(store: Store, poolId: string): Promise<PoolEntry> {
  const pool = await store.getPool(poolId);
  if (!pool) throw poolNotFound(poolId);
  if (poolRole(pool) === 'replica') throw poolIsReplica(poolId);
  return pool;
}

function waitOf(value: string | null): number {
  if (value === null) return 0;
  const waitMs = /^\d{1,6}$/.test(value) ? Number(value) : -1;
  if (waitMs < 0 || waitMs > MAXIMUM_FEED_WAIT_MS) throw new ReplicationRouteError(400, 'InvalidParameterException', `waitMs must be an integer from 0 to ${MAXIMUM_FEED_WAIT_MS}.`);
  return waitMs;
}

function poolNotFound(poolId: string): ReplicationRouteError {
  return new ReplicationRouteError(404, 'ResourceNotFoundException', `User pool ${poolId} does not exist.`);
}

function poolIsReplica(poolId: string): ReplicationRouteError {
  return new ReplicationRouteError(409, 'InvalidOperationException', `User pool ${poolId} is a replica here; read its primary's feed.`);
}

function limitOf(value: string | null): number {
  if (value === null) return DEFAULT_FEED_LIMIT;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : 0;
  if (limit < 1 || limit > MAXIMUM_FEED_LIMIT) throw new ReplicationRouteError(400, 'InvalidParameterException', `limit must be an integer from 1 to ${MAXIMUM_FEED_LIMIT}.`);
  return limit;
}

