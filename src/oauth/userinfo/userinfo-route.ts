import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSessionActive } from '../../auth/sessions/revocation.ts';
import { TokenRejected, verifyPoolToken } from '../../auth/tokens/token-verifier.ts';
import { KeyUnusable } from '../../crypto/key-provider.ts';
import { PoolMissing } from '../../store/store.ts';
import { acceptedIssuers } from '../../userpools/auth/issuers.ts';
import { findClient } from '../../userpools/clients/client-directory.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import { USER_LOOKUPS } from '../../userpools/users/user-directory.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../userpools/users/user-record.ts';
import { allowCrossOrigin } from '../../wire/cross-origin.ts';
import { oauthRoutePaths, resolveOAuthPool } from '../pool-resolution.ts';
import { acceptRawBodies, readFormBody } from '../token-endpoint/form-body.ts';
import { userInfoClaims } from './userinfo-claims.ts';

const USERINFO_ENDPOINT = '/oauth2/userInfo';
/** Cognito's description for every token it will not accept here. */
const INVALID_TOKEN = 'Access token is expired, disabled, or deleted, or the user has globally signed out.';

/**
 * A refusal in RFC 6750 §3's terms: the status, the WWW-Authenticate challenge and the same error
 * in a JSON body (as Cognito sends it).
 */
class BearerRefusal extends Error {
  constructor(readonly status: number, readonly error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | null, description: string) {
    super(description);
  }
}

/**
 * The OIDC UserInfo endpoint (OIDC Core §5.3) at `<base>/oauth2/userInfo`, GET and POST. The
 * access token comes as `Authorization: Bearer` or, on POST, as the `access_token` form parameter
 * (RFC 6750 §2.1, §2.2), never both. It must be an access token of the domain's pool, unexpired,
 * with the `openid` scope (so the Cognito API's own access tokens are refused, as in Cognito), of
 * an existing enabled user, from a session not signed out or revoked.
 */
export function registerUserInfoEndpoint(app: FastifyInstance, services: UserPoolServices): void {
  app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      if (error instanceof BearerRefusal) return sendRefusal(reply, error);
      if (error instanceof PoolMissing) return sendJson(reply, 404, { error: 'not_found', error_description: 'No user pool has this domain.' });
      if (error instanceof KeyUnusable) return sendJson(reply, 503, { error: 'temporarily_unavailable', error_description: "The user pool's key is unusable." });
      if (typeof error.statusCode === 'number' && error.statusCode < 500) return sendRefusal(reply, new BearerRefusal(400, 'invalid_request', 'The request could not be read.'));
      request.log.error({ err: error }, 'unhandled error at the userInfo endpoint');
      return sendJson(reply, 500, { error: 'server_error', error_description: 'Internal error.' });
    });
    allowCrossOrigin(scope, { methods: ['GET', 'POST'] });
    for (const path of oauthRoutePaths(USERINFO_ENDPOINT)) scope.all(path, (request, reply) => userInfo(services, request, reply));
  });
}

async function userInfo(services: UserPoolServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) return sendJson(reply, 404, { error: 'not_found', error_description: 'No user pool has this domain.' });
  if (request.method !== 'GET' && request.method !== 'POST') {
    reply.header('allow', 'GET, POST');
    return sendJson(reply, 405, { error: 'invalid_request', error_description: 'The userInfo endpoint accepts GET and POST.' });
  }
  const token = bearerToken(request);
  let claims;
  try {
    claims = await verifyPoolToken(token, await services.signingKeys.keysFor(pool.poolId), { issuers: acceptedIssuers(services, pool.poolId), tokenUse: 'access', now: services.now() });
  } catch (error) {
    if (error instanceof TokenRejected) throw new BearerRefusal(401, 'invalid_token', INVALID_TOKEN);
    throw error;
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes('openid')) throw new BearerRefusal(403, 'insufficient_scope', 'The access token does not have the openid scope.');
  const body = await services.vault.read(pool.poolId, async (records) => {
    const user = typeof claims.sub === 'string' ? (await records.find<UserRecord>(USER_RECORD_KIND, USER_LOOKUPS.sub, claims.sub))?.value : undefined;
    const client = typeof claims.client_id === 'string' ? await findClient(records, claims.client_id) : null;
    const sessionId = typeof claims.origin_jti === 'string' ? claims.origin_jti : '';
    if (!user || !client || !user.enabled || !(await isSessionActive(records, user.id, sessionId))) throw new BearerRefusal(401, 'invalid_token', INVALID_TOKEN);
    return userInfoClaims(user, client, scopes);
  });
  return sendJson(reply, 200, body);
}

/** RFC 6750 §2: exactly one way of sending the token. */
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  // Another scheme (Basic, ...) is no bearer authentication at all.
  const fromHeader = typeof header === 'string' && /^bearer\s+/i.test(header.trim()) ? header.trim().replace(/^bearer\s+/i, '') : undefined;
  let fromBody: string | undefined;
  if (request.method === 'POST' && Buffer.isBuffer(request.body) && request.body.length > 0) {
    try {
      fromBody = readFormBody(request).get('access_token');
    } catch {
      throw new BearerRefusal(400, 'invalid_request', 'The request body must be an application/x-www-form-urlencoded form.');
    }
  }
  if (fromHeader !== undefined && fromBody !== undefined) throw new BearerRefusal(400, 'invalid_request', 'The access token was sent more than one way.');
  const token = fromHeader ?? fromBody;
  // RFC 6750 §3.1: a request without authentication gets the challenge without an error code.
  if (!token) throw new BearerRefusal(401, null, 'An access token is required.');
  return token;
}

function sendRefusal(reply: FastifyReply, refusal: BearerRefusal): FastifyReply {
  const parameters = [`realm="userInfo"`];
  if (refusal.error) parameters.push(`error="${refusal.error}"`, `error_description="${refusal.message.replace(/["\\]/g, '')}"`);
  if (refusal.error === 'insufficient_scope') parameters.push('scope="openid"');
  reply.header('www-authenticate', `Bearer ${parameters.join(', ')}`);
  // Without an error code (no token at all: RFC 6750 §3.1) the body carries none either, only the description.
  return sendJson(reply, refusal.status, refusal.error ? { error: refusal.error, error_description: refusal.message } : { error_description: refusal.message });
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json; charset=utf-8').send(JSON.stringify(body));
}
