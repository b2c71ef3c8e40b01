import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSessionActive, revokeSession, sessionStartFor } from '../../auth/sessions/revocation.ts';
import { newSessionId, sessionStartedAt } from '../../auth/sessions/session-ids.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../userpools/users/user-record.ts';
import { clearCookie, readCookies, setCookie, type CookieScope } from './cookies.ts';

/**
 * The hosted-login session of a browser: who signed in to the pool's hosted pages and when, so a
 * second /oauth2/authorize (for any app client of the pool) answers at once without the login form
 * (single sign-on, as Cognito's hosted UI cookie does).
 *
 * It lives only in the cookie: sealed (AES-256-GCM) under the pool's token key with purpose
 * `browser-session` and the pool as additional data, so it cannot be read, forged, or replayed
 * at another pool, and no region stores anything per browser while it lasts. It is ended by its
 * expiry, by the /logout endpoint (which deletes the cookie and revokes the session, so a copy of
 * the cookie stops working too), and by everything that ends the user's sessions server-side: its
 * id is a session id (UUIDv7) checked like a refresh token's against the user's sign-out
 * watermark (GlobalSignOut, AdminUserGlobalSignOut, password changes and resets) and the revoked
 * sessions.
 */
export const BROWSER_SESSION_COOKIE = 'meridian-session';
const PURPOSE = 'browser-session';

/** Cognito's hosted UI keeps its session cookie for one hour. */
export const BROWSER_SESSION_SECONDS = 60 * 60;

export interface BrowserSession {
  /** UUIDv7: carries the sign-in time to the millisecond, for the sign-out watermark. */
  id: string;
  userId: string;
  /** Epoch seconds of the sign-in (OIDC auth_time). */
  authTime: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * Starts a session for `user` and sets its cookie. Its start is after the user's last sign-out
 * even within the same millisecond (sessionStartFor), like a token session's.
 */
export async function startBrowserSession(reply: FastifyReply, records: EncryptedRecords, scope: CookieScope, user: UserRecord, now: number): Promise<BrowserSession> {
  const id = newSessionId(await sessionStartFor(records, user.id, now));
  const session: BrowserSession = { id, userId: user.id, authTime: Math.floor(now / 1000), expiresAt: now + BROWSER_SESSION_SECONDS * 1000 };
  setCookie(reply, BROWSER_SESSION_COOKIE, records.sealToken(PURPOSE, session), scope, BROWSER_SESSION_SECONDS);
  return session;
}

/** Whether the request carries a session cookie at all (what ending its session needs to look at). */
export function hasBrowserSessionCookie(request: FastifyRequest): boolean {
  return readCookies(request).has(BROWSER_SESSION_COOKIE);
}

/**
 * Ends the request's session: revokes it when its cookie still holds one (revokeSession, kept
 * until the cookie would have expired, then swept), and deletes the cookie. Revoked, not only
 * deleted: the cookie is a bearer credential for an hour, and a copy of it (a stolen one, one
 * saved before) would otherwise go on signing in after the user signed out. Tokens issued to
 * apps are not touched (as in Cognito; apps revoke them at /oauth2/revoke).
 */
export async function endBrowserSession(request: FastifyRequest, reply: FastifyReply, records: EncryptedRecords, scope: CookieScope, now: number): Promise<void> {
  const cookie = readCookies(request).get(BROWSER_SESSION_COOKIE);
  const session = cookie ? records.openToken<BrowserSession>(PURPOSE, cookie) : null;
  if (session && typeof session.id === 'string' && typeof session.expiresAt === 'number' && session.expiresAt > now && sessionStartedAt(session.id) !== null) {
    await revokeSession(records, session.id, now, session.expiresAt);
  }
  clearCookie(reply, BROWSER_SESSION_COOKIE, scope);
}

/**
 * The signed-in user of the request's session cookie, or null when there is none or it no longer
 * holds: unreadable, expired, user deleted, disabled or not CONFIRMED, or signed out since.
 */
export async function currentBrowserSession(request: FastifyRequest, records: EncryptedRecords, now: number): Promise<{ session: BrowserSession; user: UserRecord } | null> {
  const cookie = readCookies(request).get(BROWSER_SESSION_COOKIE);
  if (!cookie) return null;
  const session = records.openToken<BrowserSession>(PURPOSE, cookie);
  if (!session || typeof session.expiresAt !== 'number' || session.expiresAt <= now) return null;
  if (sessionStartedAt(session.id) === null) return null;
  const user = await records.get<UserRecord>(USER_RECORD_KIND, session.userId);
  if (!user || !user.enabled || user.status !== 'CONFIRMED' || user.password?.temporary) return null;
  if (!(await isSessionActive(records, user.id, session.id))) return null;
  return { session, user };
}
