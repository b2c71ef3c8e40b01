import type { FastifyInstance, FastifyReply } from 'fastify';
import { POOL_KEY_CHANGE_KIND, poolRole, type Store } from '../store/store.ts';
import { ServiceError } from '../wire/service-error.ts';
import { verifySignature, type CredentialLookup } from '../wire/sigv4-verifier.ts';
import { decodeCursor, encodeCursor, type ChangesMessage, type SnapshotPageMessage } from './feed-messages.ts';

/** SigV4 signing name of the change feed: a credential scoped to it can read every pool's data. */
export const REPLICATION_SIGNING_NAME = 'meridian-replication';
export const MAXIMUM_FEED_LIMIT = 1000;
const DEFAULT_FEED_LIMIT = 100;
const POOL_ID_PATTERN = /^[\w-]{1,55}_[0-9A-Za-z]{1,64}$/;

export interface ChangeFeedOptions {
  store: Store;
  /** The replication credentials (shared by the regions), looked up by access key id. */
  credentials: CredentialLookup;
  /** This region: signatures scoped to another region are refused. */
  region?: string;
}

/**
 * The primary side of pool replication (a secondary's ReplicaPuller reads it):
 *
 * - `GET /replication/pools/:poolId/snapshot?cursor=&limit=`: one page of the pool's records as
 *   stored (ciphertext, blind indexes, routes) with the pool entry; the first page's
 *   `pool.lastSequence` is where the replica's change stream starts (see Store.snapshot).
 * - `GET /replication/pools/:poolId/changes?after=&limit=`: change-log entries after `after`.
 *
 * SigV4-signed (service `meridian-replication`); errors `{__type, message}`: 403 unsigned or badly
 * signed, 400 bad parameters, 404 unknown pool, 409 when the pool here is itself a replica (its
 * own log is empty: chained replication is not supported), 503 when the store fails. Never 500.
 */
export function registerChangeFeedRoutes(app: FastifyInstance, options: ChangeFeedOptions): void {
  app.get<{ Params: { poolId: string } }>('/replication/pools/:poolId/snapshot', async (request, reply) =>
    answer(reply, async () => {
      const parameters = await authenticate(request.method, request.url, request.headers, options);
      const poolId = poolIdOf(request.params.poolId);
      const limit = limitOf(parameters.get('limit'));
      const cursorText = parameters.get('cursor');
      const cursor = cursorText ? decodeCursor(cursorText) : null;
      if (cursorText && !cursor) throw new FeedError(400, 'InvalidParameterException', 'cursor is not a cursor this feed returned.');
      const page = await options.store.snapshot(poolId, cursor, limit);
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
    answer(reply, async () => {
      const parameters = await authenticate(request.method, request.url, request.headers, options);
      const poolId = poolIdOf(request.params.poolId);
      const limit = limitOf(parameters.get('limit'));
      const afterText = parameters.get('after') ?? '0';
      if (!/^\d{1,15}$/.test(afterText)) throw new FeedError(400, 'InvalidParameterException', 'after must be a non-negative integer sequence.');
      const pool = await options.store.getPool(poolId);
      if (!pool) throw poolNotFound(poolId);
      if (poolRole(pool) === 'replica') throw poolIsReplica(poolId);
      const changes = await options.store.readChanges(poolId, Number(afterText), limit);
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
      };
      return body;
    }),
  );
}

class FeedError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

function poolNotFound(poolId: string): FeedError {
  return new FeedError(404, 'ResourceNotFoundException', `User pool ${poolId} does not exist.`);
}

function poolIsReplica(poolId: string): FeedError {
  return new FeedError(409, 'InvalidOperationException', `User pool ${poolId} is a replica here; read its primary's feed.`);
}

async function authenticate(method: string, url: string, headers: Record<string, string | string[] | undefined>, options: ChangeFeedOptions): Promise<URLSearchParams> {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const parameters = new URLSearchParams(query);
  try {
    await verifySignature(
      { method, path, query: Object.fromEntries(parameters), headers, body: Buffer.alloc(0) },
      options.credentials,
      REPLICATION_SIGNING_NAME,
      options.region ? { region: options.region } : {},
    );
  } catch (error) {
    if (error instanceof ServiceError) throw new FeedError(403, error.type, error.message);
    throw error;
  }
  return parameters;
}

function poolIdOf(value: string): string {
  if (!POOL_ID_PATTERN.test(value)) throw new FeedError(400, 'InvalidParameterException', 'poolId is not a user pool id.');
  return value;
}

function limitOf(value: string | null): number {
  if (value === null) return DEFAULT_FEED_LIMIT;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : 0;
  if (limit < 1 || limit > MAXIMUM_FEED_LIMIT) throw new FeedError(400, 'InvalidParameterException', `limit must be an integer from 1 to ${MAXIMUM_FEED_LIMIT}.`);
  return limit;
}

async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<FastifyReply> {
  try {
    return reply.header('cache-control', 'no-store').send(await work());
  } catch (error) {
    const failure =
      error instanceof FeedError
        ? error
        : new FeedError(503, 'ServiceUnavailableException', 'The change feed could not be read; retry later.');
    if (!(error instanceof FeedError)) reply.log.error({ err: error }, 'change feed failed');
    return reply
      .status(failure.status)
      .header('cache-control', 'no-store')
      .header('x-amzn-errortype', failure.type)
      .send({ __type: failure.type, message: failure.message });
  }
}
