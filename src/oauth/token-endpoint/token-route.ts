import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeyUnusable } from '../../crypto/key-provider.ts';
import { PoolMissing } from '../../store/store.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import { authenticateClient, readClientCredentials, triesBasicAuthentication } from '../client-authentication.ts';
import {
  InvalidRequest,
  isOAuthError,
  MethodNotAllowed,
  NotFound,
  RequestTooLarge,
  sendOAuthError,
  ServerError,
  TemporarilyUnavailable,
  UnsupportedGrantType,
} from '../oauth-errors.ts';
import { oauthRoutePaths, resolveOAuthPool } from '../pool-resolution.ts';
import { acceptRawBodies, readFormBody } from './form-body.ts';
import type { GrantRegistry, TokenResponse } from './grant-type.ts';
import { grantTypes } from './grants/index.ts';

const TOKEN_ENDPOINT = '/oauth2/token';
const ALLOWED_METHODS = ['POST'] as const;

/**
 * The token endpoint (RFC 6749 §3.2) at `<publicUrl>/<prefix>/oauth2/token` and, by host name,
 * `/oauth2/token` (src/oauth/pool-resolution.ts). In order: the domain must exist (404), the
 * method must be POST (405), the body a form (invalid_request), grant_type present
 * (invalid_request) and registered (unsupported_grant_type), the client authenticated
 * (invalid_client); then the grant runs. Every failure leaves through `sendOAuthError`.
 */
export function registerTokenEndpoint(app: FastifyInstance, services: UserPoolServices, grants: GrantRegistry = grantTypes): void {
  app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const context = { basicAttempted: triesBasicAuthentication(headerText(request.headers.authorization)), allow: ALLOWED_METHODS };
      if (isOAuthError(error)) return sendOAuthError(reply, error, context);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendOAuthError(reply, new RequestTooLarge('The request body is too large.'), context);
      if (error instanceof PoolMissing) return sendOAuthError(reply, new NotFound('No user pool has this domain.'), context);
      if (error instanceof KeyUnusable) return sendOAuthError(reply, new TemporarilyUnavailable("The user pool's key is unusable."), context);
      // Framing errors Fastify raises itself (bad content type, aborted body) are the client's.
      if (typeof error.statusCode === 'number' && error.statusCode < 500) return sendOAuthError(reply, new InvalidRequest('The request could not be read.'), context);
      request.log.error({ err: error }, 'unhandled error at the token endpoint');
      return sendOAuthError(reply, new ServerError('Internal error.'), context);
    });

    for (const path of oauthRoutePaths(TOKEN_ENDPOINT)) {
      scope.all(path, (request, reply) => handleTokenRequest(services, grants, request, reply));
    }
  });
}

async function handleTokenRequest(services: UserPoolServices, grants: GrantRegistry, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) throw new NotFound('No user pool has this domain.');
  // RFC 6749 §3.2: "The client MUST use the HTTP POST method when making access token requests."
  if (request.method !== 'POST') throw new MethodNotAllowed('The token endpoint accepts only POST.');
  const parameters = readFormBody(request);
  const grantType = parameters.get('grant_type');
  if (grantType === undefined) throw new InvalidRequest('grant_type is required.');
  const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
  if (!grant) throw new UnsupportedGrantType(`The grant type ${grantType} is not supported.`);
  const credentials = readClientCredentials(headerText(request.headers.authorization), parameters);
  const client = await authenticateClient(services, pool.poolId, credentials);
  const response = await grant({
    services,
    pool,
    client,
    parameters,
    requestId: String(request.id),
    sourceIp: request.ip,
    userAgent: headerText(request.headers['user-agent']) ?? '',
  });
  return sendTokenResponse(reply, response);
}

/** RFC 6749 §5.1: JSON, and "Cache-Control: no-store" and "Pragma: no-cache". */
function sendTokenResponse(reply: FastifyReply, response: TokenResponse): FastifyReply {
  return reply
    .status(200)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(response));
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
