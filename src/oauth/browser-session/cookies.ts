import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthPool } from '../pool-resolution.ts';

/**
 * Cookies of the hosted pages (RFC 6265). Every cookie is HttpOnly (no script reads it),
 * SameSite=Lax (sent on the top-level navigation from the app to /oauth2/authorize, never on a
 * cross-site POST) and scoped to the pool's base path, so pools sharing the region's origin in
 * the path form (`<publicUrl>/<prefix>/...`) never see each other's cookies. Secure whenever the
 * pool's base URL is HTTPS.
 */
export interface CookieScope {
  path: string;
  secure: boolean;
}

/** The scope of a pool's cookies as the browser sees its base URL. */
export function cookieScopeOf(pool: Pick<OAuthPool, 'baseUrl'>): CookieScope {
  const url = new URL(pool.baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return { path: path === '' ? '/' : path, secure: url.protocol === 'https:' };
}

/** The cookies a request carries; the first of a repeated name wins (the most specific path, RFC 6265 §5.4). */
export function readCookies(request: FastifyRequest): Map<string, string> {
  const header = request.headers.cookie;
  const cookies = new Map<string, string>();
  if (typeof header !== 'string') return cookies;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name !== '' && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * Adds a Set-Cookie header. Values are base64url or hex (never needing quoting); `maxAgeSeconds`
 * 0 deletes the cookie. Without a Max-Age the cookie lasts for the browser session.
 */
export function setCookie(reply: FastifyReply, name: string, value: string, scope: CookieScope, maxAgeSeconds?: number): void {
  const attributes = [`${name}=${value}`, `Path=${scope.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`);
  if (scope.secure) attributes.push('Secure');
  // Fastify appends repeated set-cookie headers instead of replacing them.
  reply.header('set-cookie', attributes.join('; '));
}

export function clearCookie(reply: FastifyReply, name: string, scope: CookieScope): void {
  setCookie(reply, name, '', scope, 0);
}
