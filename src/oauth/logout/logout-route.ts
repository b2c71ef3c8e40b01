import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findClient } from '../../userpools/clients/client-directory.ts';
import { CLIENT_ID_PATTERN } from '../../userpools/shared/identifiers.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import { AuthorizationPageError } from '../authorize/authorization-errors.ts';
import { readQueryParameters, validateAuthorizationRequest } from '../authorize/authorization-request.ts';
import { endBrowserSession, hasBrowserSessionCookie } from '../browser-session/browser-session.ts';
import { cookieScopeOf } from '../browser-session/cookies.ts';
import { handleBrowserErrors, methodNotAllowedPage, notFoundPage } from '../pages/browser-errors.ts';
import { oauthRoutePaths, resolveOAuthPool } from '../pool-resolution.ts';

const LOGOUT_ENDPOINT = '/logout';

/**
 * The sign-out endpoint `<base>/logout` (Cognito developer guide, "The managed login sign-out
 * endpoint"), GET only. It ends the browser's hosted-login session (revokes it and deletes its
 * cookie: endBrowserSession) and then:
 *
 * - with `client_id` and `logout_uri`, redirects to `logout_uri`, which must be exactly one of the
 *   client's LogoutURLs. `post_logout_redirect_uri` is accepted for `logout_uri` (OIDC RP-Initiated
 *   Logout, what the discovery document's end_session_endpoint implies), with `state` returned;
 * - with `client_id`, `redirect_uri`, `response_type` (and the other authorize parameters),
 *   restarts sign-in at `<base>/login`, the request checked as /oauth2/authorize checks it.
 *
 * Anything unvalidated is answered with an error page, never a redirect. Tokens already issued are
 * not revoked, as in Cognito: apps revoke refresh tokens at /oauth2/revoke.
 */
export function registerLogoutEndpoint(app: FastifyInstance, services: UserPoolServices): void {
  app.register(async (scope) => {
    handleBrowserErrors(scope);
    for (const path of oauthRoutePaths(LOGOUT_ENDPOINT)) scope.all(path, (request, reply) => logout(services, request, reply));
  });
}

async function logout(services: UserPoolServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) return notFoundPage(reply);
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowedPage(reply, ['GET']);
  const query = readQueryParameters(request);
  const get = (name: string) => query.values.get(name);
  if (query.repeated.size > 0) throw new AuthorizationPageError(400, `The parameter ${[...query.repeated][0]} is included more than once.`);
  const clientId = get('client_id');
  if (clientId === undefined || !CLIENT_ID_PATTERN.test(clientId)) throw new AuthorizationPageError(400, 'The request has no valid client_id.');
  const logoutUri = get('logout_uri') ?? get('post_logout_redirect_uri');

  const location = await services.vault.read(pool.poolId, async (records) => {
    const client = await findClient(records, clientId);
    if (!client) throw new AuthorizationPageError(400, 'The app client does not exist in this user pool.');
    if (logoutUri !== undefined) {
      if (!(client.settings.LogoutURLs ?? []).includes(logoutUri)) throw new AuthorizationPageError(400, 'The logout_uri is not one of the sign-out URLs of this app client.');
      const target = new URL(logoutUri);
      const state = get('state');
      if (state !== undefined) target.searchParams.append('state', state);
      return target.toString();
    }
    if (get('redirect_uri') === undefined) throw new AuthorizationPageError(400, 'The request needs logout_uri, or redirect_uri with the parameters of a new sign-in.');
    const authorization = await validateAuthorizationRequest(records, query);
    return `${pool.baseUrl}/login?${authorization.carried.toString()}`;
  });
  // Without a cookie there is no session to end, and no write transaction to open for it. HEAD
  // is answered alike but ends nothing: it must be safe (RFC 9110 §9.2.1), and link checkers send it.
  if (request.method === 'GET' && hasBrowserSessionCookie(request)) await services.vault.write(pool.poolId, (records) => endBrowserSession(request, reply, records, cookieScopeOf(pool), services.now()));
  return reply.header('cache-control', 'no-store').redirect(location, 302);
}
