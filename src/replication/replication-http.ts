import type { FastifyReply } from 'fastify';
import type { Principal } from '../wire/aws-json-action.ts';
import { ServiceError } from '../wire/service-error.ts';
import { signedQueryOf, verifySignature, type CredentialLookup } from '../wire/sigv4-verifier.ts';

/** SigV4 signing name of the inter-region endpoints: a credential scoped to it can read every pool's data. */
export const REPLICATION_SIGNING_NAME = 'meridian-replication';

const POOL_ID_PATTERN = /^[\w-]{1,55}_[0-9A-Za-z]{1,64}$/;

/** An answer of the inter-region endpoints other than success: `{__type, message}` with `status`. */
export class ReplicationRouteError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

/**
 * Verifies the SigV4 signature of an inter-region request (service `meridian-replication`, scoped
 * to this region when given); returns the caller and the query. A bad or missing signature is a
 * 403 with the verifier's own error type.
 */
export async function authenticateReplicationCall(
  request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body?: unknown },
  credentials: CredentialLookup,
  region: string | undefined,
): Promise<{ principal: Principal; parameters: URLSearchParams }> {
  const [path, query = ''] = request.url.split('?', 2) as [string, string?];
  const parameters = new URLSearchParams(query);
  try {
    const principal = await verifySignature(
      { method: request.method, path, query: signedQueryOf(query), headers: request.headers, body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0) },
      credentials,
      REPLICATION_SIGNING_NAME,
      region ? { region } : {},
    );
    return { principal, parameters };
  } catch (error) {
    if (error instanceof ServiceError) throw new ReplicationRouteError(403, error.type, error.message);
    throw error;
  }
}

export function poolIdOf(value: string): string {
  if (!POOL_ID_PATTERN.test(value)) throw new ReplicationRouteError(400, 'InvalidParameterException', 'poolId is not a user pool id.');
  return value;
}

/**
 * Sends what `work` returns, or its failure as `{__type, message}`: a ReplicationRouteError or a
 * Cognito client error (4xx) with its own status, anything else (a store failure, a server fault, a
 * bug) as a logged 503 that tells the caller to retry. Never a 500 with a stack.
 */
export async function answerReplicationCall(reply: FastifyReply, work: () => Promise<unknown>, unavailable = 'The request could not be served; retry later.'): Promise<FastifyReply> {
  try {
    return reply.header('cache-control', 'no-store').send(await work());
  } catch (error) {
    const failure =
      error instanceof ReplicationRouteError
        ? error
        : error instanceof ServiceError && error.statusCode < 500
          ? new ReplicationRouteError(error.statusCode, error.type, error.message)
          : new ReplicationRouteError(503, 'ServiceUnavailableException', unavailable);
    if (failure.status >= 500) reply.log.error({ err: error }, 'replication request failed');
    return reply.status(failure.status).header('cache-control', 'no-store').header('x-amzn-errortype', failure.type).send({ __type: failure.type, message: failure.message });
  }
}
