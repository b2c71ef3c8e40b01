import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { sweepExpiredRecords } from '../../crypto/expired-record-sweep.ts';
import { sessionStartedAt } from './session-ids.ts';

/**
 * Revocation state, as two record kinds that merge safely in any order (so sign-outs made in any
 * region can reach every region): a per-user sign-out watermark (merge: max) and revoked session
 * ids (merge: union).
 */
export const SIGN_OUT_KIND = 'sign-out';
export const REVOKED_SESSION_KIND = 'revoked-session';

export interface SignOutRecord {
  signedOutAt: number;
  /**
   * Sessions the sign-out at exactly `signedOutAt` spared: ChangePassword ends every session of
   * the user except the one that changed the password. A later watermark spares nothing of these.
   */
  kept?: string[];
}

export interface RevokedSessionRecord {
  revokedAt: number;
  /** When the session's refresh token expires; the record is kept a while longer (REVOKED_KEPT_AFTER_EXPIRY_MS). */
  expiresAt: number;
}

/**
 * How long a revoked-session record outlives its refresh token: an access token issued by the
 * session's last refresh, just before the refresh token expired, lives up to a day more (Cognito's
 * longest AccessTokenValidity) and must be refused until then; plus slack for clocks of other
 * processes and regions.
 */
export const REVOKED_KEPT_AFTER_EXPIRY_MS = 86_400_000 + 5 * 60_000;

/**
 * Ends every session of the user begun at or before `now` (GlobalSignOut, password change,
 * disable), except `keep` when given (the session of a ChangePassword call).
 */
export async function signOutEverywhere(records: EncryptedRecords, userId: string, now: number, options: { keep?: string } = {}): Promise<void> {
  const current = await signOutOf(records, userId);
  // At least one past the previous watermark: a session that sessionStartFor pushed to
  // watermark + 1 (signed in within the same millisecond) is still ended by this sign-out.
  const at = Math.max(now, (current?.signedOutAt ?? -1) + 1);
  const next = mergeSignOuts(current, { signedOutAt: at, kept: options.keep ? [options.keep] : [] });
  const value = next.kept?.length ? next : { signedOutAt: next.signedOutAt };
  // A secondary replica keeps its sign-outs region-local; they are shipped to the primary,
  // merged there and come back with the primary's records (src/replication/local-state-shipper.ts).
  await records.writableHere.put<SignOutRecord>(SIGN_OUT_KIND, userId, value);
}

/**
 * Merges a sign-out made in another region into this pool's records (on the primary); true when
 * it changed anything. Safe to repeat and in any order (mergeSignOuts).
 */
export async function mergeSignOut(records: EncryptedRecords, userId: string, shipped: SignOutRecord): Promise<boolean> {
  const current = await records.get<SignOutRecord>(SIGN_OUT_KIND, userId);
  const next = mergeSignOuts(current, shipped);
  if (current && current.signedOutAt === next.signedOutAt && sameSessions(current.kept, next.kept)) return false;
  await records.put<SignOutRecord>(SIGN_OUT_KIND, userId, next.kept?.length ? next : { signedOutAt: next.signedOutAt });
  return true;
}

/**
 * Merges a session revoked in another region (union); true when it was not revoked here yet. One
 * that has expired already is not kept. The receiver sweeps after a shipment's merges
 * (sweepRevokedSessions, once per shipment), so a pool whose revocations are mostly made in
 * secondaries does not pile them up either.
 */
export async function mergeRevokedSession(records: EncryptedRecords, sessionId: string, shipped: RevokedSessionRecord, now: number): Promise<boolean> {
  if (!isStillNeeded(shipped, now)) return false;
  if (await records.get(REVOKED_SESSION_KIND, sessionId)) return false;
  await records.put<RevokedSessionRecord>(REVOKED_SESSION_KIND, sessionId, shipped);
  return true;
}

function sameSessions(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...(b ?? [])].sort();
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

/** The user's sign-out: the pool's record, merged on a secondary with the ones made here. */
function signOutOf(records: EncryptedRecords, userId: string): Promise<SignOutRecord | null> {
  return records.getWithLocal<SignOutRecord>(SIGN_OUT_KIND, userId, mergeSignOuts);
}

async function isRevoked(records: EncryptedRecords, sessionId: string): Promise<boolean> {
  return (await records.getWithLocal(REVOKED_SESSION_KIND, sessionId)) !== null;
}

/**
 * When a new session of the user may start: now, or just after the user's last sign-out when that
 * falls in the same millisecond, so a sign-in right after a sign-out is never born revoked.
 */
export async function sessionStartFor(records: EncryptedRecords, userId: string, now: number): Promise<number> {
  const signOut = await signOutOf(records, userId);
  return signOut ? Math.max(now, signOut.signedOutAt + 1) : now;
}

/**
 * Joins two sign-outs of one user, commutative, associative and idempotent, so it can merge
 * replicated records in any order: the later watermark wins with what it spared; at equal
 * watermarks a session stays only if both spared it (ending a session always wins).
 */
export function mergeSignOuts(a: SignOutRecord | null, b: SignOutRecord): SignOutRecord {
  if (!a || b.signedOutAt > a.signedOutAt) return { signedOutAt: b.signedOutAt, kept: [...(b.kept ?? [])] };
  if (a.signedOutAt > b.signedOutAt) return { signedOutAt: a.signedOutAt, kept: [...(a.kept ?? [])] };
  const keptByBoth = (a.kept ?? []).filter((sessionId) => (b.kept ?? []).includes(sessionId));
  return { signedOutAt: a.signedOutAt, kept: keptByBoth };
}

/**
 * Ends one session (RevokeToken): its refresh token and every access token issued from it; false
 * when it was ended already. Each revocation also sweeps a page of records of sessions long
 * expired from where it wrote its own, so the kind stays about as large as the sessions revoked
 * within one refresh-token lifetime. (Amplify revokes on every sign-out.)
 */
export async function revokeSession(records: EncryptedRecords, sessionId: string, now: number, expiresAt: number): Promise<boolean> {
  if (await isRevoked(records, sessionId)) return false;
  await records.writableHere.put<RevokedSessionRecord>(REVOKED_SESSION_KIND, sessionId, { revokedAt: now, expiresAt });
  await sweepRevokedSessions(records, now);
  return true;
}

/**
 * Drops a page of revoked-session records no token of which can be valid any more
 * (sweepExpiredRecords). Safe whenever it happens: the refresh token has expired, and so has every
 * access token from it. `added`: how many records the caller has just added (a merged shipment).
 */
export function sweepRevokedSessions(records: EncryptedRecords, now: number, added = 1): Promise<void> {
  return sweepExpiredRecords<RevokedSessionRecord>(records.poolId, records.writableHere, REVOKED_SESSION_KIND, (revoked) => !isStillNeeded(revoked, now), added);
}

function isStillNeeded(revoked: RevokedSessionRecord, now: number): boolean {
  return revoked.expiresAt + REVOKED_KEPT_AFTER_EXPIRY_MS > now;
}

/** True when the session is still alive: not revoked, and begun after the user's last sign-out (or spared by it). */
export async function isSessionActive(records: EncryptedRecords, userId: string, sessionId: string): Promise<boolean> {
  const startedAt = sessionStartedAt(sessionId);
  if (startedAt === null) return false;
  const signOut = await signOutOf(records, userId);
  if (signOut && startedAt <= signOut.signedOutAt && !(signOut.kept ?? []).includes(sessionId)) return false;
  return !(await isRevoked(records, sessionId));
}
