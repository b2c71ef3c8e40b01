import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { readCookies, setCookie, type CookieScope } from './cookies.ts';

/**
 * CSRF protection of the hosted pages' forms: a signed double-submit token (OWASP CSRF
 * Prevention Cheat Sheet). The browser holds a random secret in an HttpOnly cookie; every form
 * carries, in a hidden field, an HMAC of that secret under a key of the pool (the pool's keyed
 * fingerprint, derived from its data key). A POST is accepted only when the field equals the HMAC
 * of the cookie it came with, compared in constant time. Another site can neither read the cookie
 * nor compute the HMAC, and cannot plant a cookie of its own choosing that matches a field it
 * knows. SameSite=Lax cookies already stay home on cross-site POSTs; this is the second layer,
 * and the one that protects the login form against login CSRF.
 */
export const CSRF_COOKIE = 'meridian-csrf';
export const CSRF_FIELD = 'csrf_token';
const LABEL = 'hosted-pages-csrf/v1';

/**
 * The form token for the request's browser, creating (and setting) the secret cookie when the
 * browser has none or a malformed one.
 */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, records: EncryptedRecords, scope: CookieScope): string {
  let secret = readCookies(request).get(CSRF_COOKIE);
  if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
    secret = randomBytes(32).toString('base64url');
    // A browser-session cookie: it only has to outlive the page it was rendered for.
    setCookie(reply, CSRF_COOKIE, secret, scope);
  }
  return records.fingerprint(LABEL, secret);
}

/** Whether a submitted form carries the token of the cookie it came with. */
export function csrfTokenMatches(request: FastifyRequest, records: EncryptedRecords, submitted: string | undefined): boolean {
  const secret = readCookies(request).get(CSRF_COOKIE);
  const expected = Buffer.from(records.fingerprint(LABEL, secret ?? ''), 'utf8');
  const given = Buffer.from(submitted ?? '', 'utf8');
  // Compare equal lengths only; a missing cookie or field fails after the same work.
  const equal = given.length === expected.length && timingSafeEqual(given, expected);
  return equal && secret !== undefined && submitted !== undefined;
}
