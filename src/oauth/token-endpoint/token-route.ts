import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPoolServices } from '../../userpools/services.ts';
import { checkClientCredentials, readClientCredentials } from '../client-authentication.ts';
import { findClient } from '../../userpools/clients/client-directory.ts';
import { allowCrossOrigin } from '../../wire/cross-origin.ts';
import { answerOAuthEndpointErrors } from '../endpoint-errors.ts';
import { InvalidRequest, MethodNotAllowed, NotFound, UnsupportedGrantType } from '../oauth-errors.ts';
import { oauthRoutePaths, readOAuthPool } from '../pool-resolution.ts';
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
    answerOAuthEndpointErrors(scope, { name: 'token endpoint', allow: ALLOWED_METHODS });
    allowCrossOrigin(scope, { methods: ALLOWED_METHODS });

    for (const path of oauthRoutePaths(TOKEN_ENDPOINT)) {
      scope.all(path, (request, reply) => handleTokenRequest(services, grants, request, reply));
    }
  });
}

async function handleTokenRequest(services: UserPoolServices, grants: GrantRegistry, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // One read view for the domain's pool, the client and the grant: each view costs a pool-version check.
  const answered = await readOAuthPool(services, request, async (pool, records) => {
    // RFC 6749 §3.2: "The client MUST use the HTTP POST method when making access token requests."
    if (request.method !== 'POST') throw new MethodNotAllowed('The token endpoint accepts only POST.');
    const parameters = readFormBody(request);
    const grantType = parameters.get('grant_type');
    if (grantType === undefined) throw new InvalidRequest('grant_type is required.');
    const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
    if (!grant) throw new UnsupportedGrantType(`The grant type ${grantType} is not supported.`);
    const credentials = readClientCredentials(headerText(request.headers.authorization), parameters);
    return grant({
      services,
      pool,
      records,
      client: checkClientCredentials(await findClient(records, credentials.clientId), credentials),
      parameters,
      requestId: String(request.id),
      sourceIp: request.ip,
      userAgent: headerText(request.headers['user-agent']) ?? '',
    });
  });
  if (!answered) throw new NotFound('No user pool has this domain.');
  return sendTokenResponse(reply, answered.value);
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
