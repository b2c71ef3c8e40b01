import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPoolServices } from '../../userpools/services.ts';
import { currentBrowserSession } from '../browser-session/browser-session.ts';
import { handleBrowserErrors, methodNotAllowedPage, notFoundPage } from '../pages/browser-errors.ts';
import { oauthRoutePaths, resolveOAuthPool } from '../pool-resolution.ts';
import { AuthorizationRedirectError } from './authorization-errors.ts';
import { readQueryParameters, validateAuthorizationRequest } from './authorization-request.ts';
import { authorizationRedirect } from './authorization-response.ts';

const AUTHORIZE_ENDPOINT = '/oauth2/authorize';
const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2) at `<base>/oauth2/authorize`.
 * Cognito serves it with GET only ("The redirect and authorization endpoint"). A browser that
 * already has a hosted-login session for the pool gets its code (or tokens) at once; otherwise it
 * goes to `<base>/login` with the same parameters. `prompt=login` (or a session older than
 * `max_age`) forces the login form; `prompt=none` without a session is `login_required`.
 */
export function registerAuthorizeEndpoint(app: FastifyInstance, services: UserPoolServices): void {
  app.register(async (scope) => {
    handleBrowserErrors(scope);
    for (const path of oauthRoutePaths(AUTHORIZE_ENDPOINT)) scope.all(path, (request, reply) => authorize(services, request, reply));
  });
}

async function authorize(services: UserPoolServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) return notFoundPage(reply);
  if (!(ALLOWED_METHODS as readonly string[]).includes(request.method)) return methodNotAllowedPage(reply, ['GET']);
  const query = readQueryParameters(request);
  const now = services.now();
  const location = await services.vault.read(pool.poolId, async (records) => {
    const authorization = await validateAuthorizationRequest(records, query);
    if (authorization.prompt !== 'login') {
      const current = await currentBrowserSession(request, records, now);
      const fresh = current && (authorization.maxAge === undefined || Math.floor(now / 1000) - current.session.authTime <= authorization.maxAge);
      if (current && fresh) return authorizationRedirect(services, records, authorization, current.user, current.session.authTime);
    }
    if (authorization.prompt === 'none') throw new AuthorizationRedirectError(authorization.target, 'login_required', 'The user is not signed in.');
    return `${pool.baseUrl}/login?${authorization.carried.toString()}`;
  });
  return reply.header('cache-control', 'no-store').redirect(location, 302);
}
