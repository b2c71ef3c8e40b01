import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppClientRecord } from '../../userpools/clients/app-client.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import type { UserRecord } from '../../userpools/users/user-record.ts';
import { ServiceError } from '../../wire/service-error.ts';
import { AuthorizationPageError } from '../authorize/authorization-errors.ts';
import { readQueryParameters, validateAuthorizationRequest, type AuthorizationRequest } from '../authorize/authorization-request.ts';
import { authorizationRedirect } from '../authorize/authorization-response.ts';
import { startBrowserSession } from '../browser-session/browser-session.ts';
import { cookieScopeOf, type CookieScope } from '../browser-session/cookies.ts';
import { CSRF_FIELD, csrfTokenFor, csrfTokenMatches } from '../browser-session/csrf.ts';
import { resolveOAuthPool, type OAuthPool } from '../pool-resolution.ts';
import { readFormBody, type FormParameters } from '../token-endpoint/form-body.ts';
import { formTargetOf, renderPage, sendPage, type PageOptions } from './html.ts';

/**
 * One request to a hosted page, after what every page checks first: the pool's domain exists,
 * the authorization request the page carries in its URL is valid (the same checks as
 * /oauth2/authorize, so a page never finishes at an unvalidated redirect URI), and, for a POST,
 * the form was readable.
 */
export interface HostedPage {
  services: UserPoolServices;
  pool: OAuthPool;
  request: FastifyRequest;
  reply: FastifyReply;
  authorization: AuthorizationRequest;
  cookies: CookieScope;
  /** The submitted form (POST only). */
  form: FormParameters | null;
}

export type HostedPageName = 'login' | 'newPassword' | 'signup' | 'confirmUser' | 'forgotPassword' | 'confirmForgotPassword';

/** Opens a page; null when the domain is unknown (the 404 page has been sent). */
export async function openHostedPage(services: UserPoolServices, request: FastifyRequest, reply: FastifyReply): Promise<HostedPage | null> {
  const pool = await resolveOAuthPool(services, request);
  if (!pool) return null;
  const query = readQueryParameters(request);
  const authorization = await services.vault.read(pool.poolId, (records) => validateAuthorizationRequest(records, query));
  let form: FormParameters | null = null;
  if (request.method === 'POST') {
    try {
      form = readFormBody(request);
    } catch {
      throw new AuthorizationPageError(400, 'The form could not be read. Go back and submit it again.');
    }
  }
  return { services, pool, request, reply, authorization, cookies: cookieScopeOf(pool), form };
}

/** The same-origin path (with the carried authorization parameters) of a page of this pool. */
export function pageAddress(page: HostedPage, name: HostedPageName): string {
  const basePath = new URL(page.pool.baseUrl).pathname.replace(/\/+$/, '');
  return `${basePath}/${name}?${page.authorization.carried.toString()}`;
}

export function field(page: HostedPage, name: string): string | undefined {
  return page.form?.get(name);
}

/** Renders a page whose body needs the browser's CSRF token, with the hosted pages' headers. */
export async function showPage(page: HostedPage, status: number, options: Omit<PageOptions, 'body'> & { body: (csrfToken: string) => string }): Promise<FastifyReply> {
  const token = await page.services.vault.read(page.pool.poolId, async (records) => csrfTokenFor(page.request, page.reply, records, page.cookies));
  return sendPage(page.reply, status, renderPage({ ...options, body: options.body(token) }), [formTargetOf(page.authorization.redirectUri)]);
}

/** Whether the POST carries the CSRF token bound to its browser's cookie. */
export async function csrfAccepted(page: HostedPage): Promise<boolean> {
  return page.services.vault.read(page.pool.poolId, async (records) => csrfTokenMatches(page.request, records, field(page, CSRF_FIELD)));
}

export const CSRF_REFUSED = 'This form expired or did not come from this page, so it was not accepted. Please try again.';

/**
 * The SECRET_HASH the user-pool actions require of a client with a secret (Cognito developer
 * guide, "Computing secret hash values"). The hosted pages act for the client, server-side, so
 * they compute it with the client's own secret.
 */
export function secretHashFor(client: AppClientRecord, username: string): string | undefined {
  return client.secret === undefined ? undefined : createHmac('sha256', client.secret).update(username + client.id).digest('base64');
}

/**
 * The message of a Cognito error meant for the user (a 4xx of the user-pool API: wrong password,
 * lockout, policy, code mismatch, ...); anything else is rethrown.
 */
export function userFacingError(error: unknown): ServiceError {
  if (error instanceof ServiceError && error.statusCode < 500) return error;
  throw error;
}

/** Signed in: starts the browser session and sends the browser back to the client with its code. */
export async function finishSignIn(page: HostedPage, user: UserRecord): Promise<FastifyReply> {
  const { services } = page;
  const now = services.now();
  const location = await services.vault.read(page.pool.poolId, async (records) => {
    const session = await startBrowserSession(page.reply, records, page.cookies, user, now);
    return authorizationRedirect(services, records, page.authorization, user, session.authTime);
  });
  return page.reply.header('cache-control', 'no-store').redirect(location, 302);
}
