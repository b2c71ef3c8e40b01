import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { sessionStartedAt } from './session-ids.ts';

/**
 * Revocation state, as two record kinds that merge safely in any order (so sign-outs made in any
 * region can reach every region): a per-user sign-out watermark (merge: max) and revoked session
 * ids (merge: union).
 */
export const SIGN_OUT_KIND = 'sign-out';
export const REVOKED_SESSION_KIND = 'revoked-session';

interface SignOutRecord {
  signedOutAt: number;
}

interface RevokedSessionRecord {
  revokedAt: number;
  /** After this the session's refresh token has expired anyway; the record may be dropped. */
  expiresAt: number;
}

/** Ends every session of the user begun at or before `now` (GlobalSignOut, password change). */
export async function signOutEverywhere(records: EncryptedRecords, userId: string, now: number): Promise<void> {
  const current = await records.get<SignOutRecord>(SIGN_OUT_KIND, userId);
  await records.put<SignOutRecord>(SIGN_OUT_KIND, userId, { signedOutAt: Math.max(now, current?.signedOutAt ?? 0) });
}

/** Ends one session (RevokeToken): its refresh token and every access token issued from it. */
export async function revokeSession(records: EncryptedRecords, sessionId: string, now: number, expiresAt: number): Promise<void> {
  if (await records.get(REVOKED_SESSION_KIND, sessionId)) return;
  await records.put<RevokedSessionRecord>(REVOKED_SESSION_KIND, sessionId, { revokedAt: now, expiresAt });
}

/** True when the session is still alive: not revoked, and begun after the user's last sign-out. */
export async function isSessionActive(records: EncryptedRecords, userId: string, sessionId: string): Promise<boolean> {
  const startedAt = sessionStartedAt(sessionId);
  if (startedAt === null) return false;
  const signOut = await records.get<SignOutRecord>(SIGN_OUT_KIND, userId);
  if (signOut && startedAt <= signOut.signedOutAt) return false;
  return (await records.get(REVOKED_SESSION_KIND, sessionId)) === null;
}
