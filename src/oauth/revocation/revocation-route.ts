import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPoolServices } from '../../userpools/services.ts';
import { revokeRefreshToken } from '../../userpools/sessions/refresh-token-revocation.ts';
import { authenticateClient, checkClientCredentials, readClientCredentials } from '../client-authentication.ts';
import { allowCrossOrigin } from '../../wire/cross-origin.ts';
import { answerOAuthEndpointErrors } from '../endpoint-errors.ts';
import { InvalidGrant, InvalidRequest, MethodNotAllowed, NotFound, UnsupportedTokenType } from '../oauth-errors.ts';
import { oauthRoutePaths, resolveOAuthPool } from '../pool-resolution.ts';
import { acceptRawBodies, readFormBody } from '../token-endpoint/form-body.ts';

const REVOKE_ENDPOINT = '/oauth2/revoke';
const ALLOWED_METHODS = ['POST'] as const;

/** A JWS in compact form: what access and ID tokens look like (refresh tokens are sealed, without dots). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The revocation endpoint (RFC 7009) at `<base>/oauth2/revoke`, as Cognito's ("The token
 * revocation endpoint"): POST a form with `token`, a refresh token, and authenticate as at the
 * token endpoint (a public client names itself with client_id). Revoking ends the refresh token's
 * session: the refresh token and every access token issued from it (revokeSession).
 *
 * Answers: 200 with an empty body on success, and also for a token the server does not know
 * (RFC 7009 §2.2: "invalid tokens do not cause an error response"); invalid_client (401) for
 * failed client authentication; invalid_request without a token or when the client has token
 * revocation disabled (Cognito's code for that); unsupported_token_type for an access or ID
 * token; invalid_grant for a refresh token issued to another client (RFC 6749 §5.2's words).
 */
export function registerRevocationEndpoint(app: FastifyInstance, services: UserPoolServices): void {
  app.register(async (scope) => {
    acceptRawBodies(scope);
    answerOAuthEndpointErrors(scope, { name: 'revocation endpoint', allow: ALLOWED_METHODS });
    allowCrossOrigin(scope, { methods: ALLOWED_METHODS });
    for (const path of oauthRoutePaths(REVOKE_ENDPOINT)) scope.all(path, (request, reply) => revoke(services, request, reply));
  });
}

async function revoke(services: UserPoolServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) throw new NotFound('No user pool has this domain.');
  if (request.method !== 'POST') throw new MethodNotAllowed('The revocation endpoint accepts only POST.');
  const parameters = readFormBody(request);
  const credentials = readClientCredentials(headerText(request.headers.authorization), parameters);
  const token = parameters.get('token');
  if (token === undefined) {
    // The client is judged first (RFC 7009 §2.1), so a caller that cannot authenticate learns
    // nothing else about its request.
    await authenticateClient(services, pool.poolId, credentials);
    throw new InvalidRequest('token is required.');
  }
  // token_type_hint is only a hint (RFC 7009 §2.1); only refresh tokens are revocable here.
  const revocation = await revokeRefreshToken(services, pool.poolId, {
    clientId: credentials.clientId,
    token,
    authenticate: (client) => checkClientCredentials(client, credentials).client,
  });
  switch (revocation.outcome) {
    case 'revoked':
      return sendRevoked(reply);
    case 'revocation-disabled':
      throw new InvalidRequest('Token revocation is not enabled for this app client.');
    case 'not-a-refresh-token':
      if (COMPACT_JWS.test(token)) throw new UnsupportedTokenType('Only refresh tokens can be revoked.');
      return sendRevoked(reply);
    case 'issued-to-another-client':
      throw new InvalidGrant('The refresh token was not issued to this client.');
  }
}

function sendRevoked(reply: FastifyReply): FastifyReply {
  return reply.status(200).header('cache-control', 'no-store').header('pragma', 'no-cache').send();
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
