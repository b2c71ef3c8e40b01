import { revokeSession } from '../../auth/sessions/revocation.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { sweepExpiredRecords } from '../../crypto/expired-record-sweep.ts';

/**
 * Single use of authorization codes, the one thing a sealed code cannot enforce alone (RFC 6749
 * §4.1.2): redeeming a code leaves a record of kind `authorization-code` (id = the code's id)
 * holding the session its tokens belong to, so a second redemption is refused and can revoke it.
 *
 * The record goes where this region writes its own changes (EncryptedRecords.writableHere): the
 * pool's records on the primary, in the transaction that chooses the tokens' session;
 * region-local state on a secondary replica, whose records are the primary's; from there the use
 * is shipped to the primary (mergeUsedCode, docs/REPLICATION.md). A record is needed only until
 * its code expires, since a later redemption fails on the expiry, so each redemption (and each
 * shipment merged at the primary) sweeps records of expired codes from the same place it wrote its own (sweepExpiredRecords).
 */
export const AUTHORIZATION_CODE_RECORD_KIND = 'authorization-code';
/**
 * How long a record outlives its code. A redemption that finds no record refuses the code only by
 * comparing its expiry with its own clock (claimAuthorizationCode), and the clock of another
 * process or server sharing the store may lag the sweeper's a little.
 */
export const KEPT_AFTER_EXPIRY_MS = 60_000;

export interface UsedCodeRecord {
  sessionId: string;
  usedAt: number;
  /** When the code itself expires: after that the record is no longer needed. */
  expiresAt: number;
  /** When the refresh token of the session expires (what revokeSession keeps its record until). */
  sessionExpiresAt: number;
}

/** The record of a code used before, in this region or (replicated) in the primary; null when unused. */
export function usedCodeRecord(records: EncryptedRecords, codeId: string): Promise<UsedCodeRecord | null> {
  return records.getWithLocal<UsedCodeRecord>(AUTHORIZATION_CODE_RECORD_KIND, codeId);
}

/** What markCodeUsed found: the code now recorded as used, recorded before (nothing written), or expired. */
export type Marking = { outcome: 'marked' } | { outcome: 'used-before'; used: UsedCodeRecord } | { outcome: 'expired' };

/**
 * Records the code as used unless a record of it is there already, as one atomic step
 * (WritableRecords.update), then drops a few records of codes expired well before the clock.
 *
 * Atomic because a secondary replica's redemption is not a transaction: its read of the record
 * (usedCodeRecord) and this write are apart, so two concurrent redemptions of one code, in two
 * workers or servers of the region, could both find none. Here the second finds the first's and
 * writes nothing. (On the primary the enclosing write transaction already serializes them.)
 *
 * The clock is read inside the step, after the record, for the reason given in
 * claimAuthorizationCode: a code whose record a sweep has just dropped is found expired, not unused.
 */
export async function markCodeUsed(records: EncryptedRecords, codeId: string, used: UsedCodeRecord, clock: () => number): Promise<Marking> {
  const writable = records.writableHere;
  const marking = await writable.update<UsedCodeRecord, Marking>(AUTHORIZATION_CODE_RECORD_KIND, codeId, (current) => {
    if (current) return { value: null, result: { outcome: 'used-before', used: current } };
    if (used.expiresAt <= clock()) return { value: null, result: { outcome: 'expired' } };
    return { value: used, result: { outcome: 'marked' } };
  });
  if (marking.outcome === 'marked') await sweepExpiredCodes(records, clock());
  return marking;
}

/**
 * Drops a page of records of codes expired well before `now` (sweepExpiredRecords). Dropping a
 * record while another redemption of its code runs is safe because claimAuthorizationCode reads
 * the clock after the record: a code whose record is gone has expired by then and is refused.
 * `added`: how many records the caller has just added (a merged shipment).
 */
export function sweepExpiredCodes(records: EncryptedRecords, now: number, added = 1): Promise<void> {
  return sweepExpiredRecords<UsedCodeRecord>(records.poolId, records.writableHere, AUTHORIZATION_CODE_RECORD_KIND, (used) => used.expiresAt + KEPT_AFTER_EXPIRY_MS <= now, added);
}

/**
 * Merges a code's use at a secondary replica, shipped here (to the primary) like its revocations,
 * so single use holds across regions once it arrives:
 * - not used here: the record is kept, so a later redemption here (or, once replicated, in any
 *   region) is a reuse, refused and revoking the secondary's session;
 * - used here, or shipped from another region, for another session: the code was redeemed twice
 *   before either region could know, and both sessions are revoked (RFC 6749 §4.1.2: "SHOULD
 *   revoke (when possible) all tokens previously issued based on that authorization code");
 * - the same use again (a retried shipment): nothing.
 * Idempotent and order-free: whichever use arrives second revokes both, and revoking is a union.
 * A use shipped after its record would have been swept (the code expired long ago) changes
 * nothing: a later redemption fails on the code's expiry anyway.
 */
export async function mergeUsedCode(records: EncryptedRecords, codeId: string, shipped: UsedCodeRecord, now: number): Promise<boolean> {
  const current = await records.get<UsedCodeRecord>(AUTHORIZATION_CODE_RECORD_KIND, codeId);
  if (current?.sessionId === shipped.sessionId) return false;
  if (!current) {
    if (shipped.expiresAt + KEPT_AFTER_EXPIRY_MS <= now) return false;
    // Swept like the primary's own, once per shipment by the receiver (sweepExpiredCodes).
    await records.put<UsedCodeRecord>(AUTHORIZATION_CODE_RECORD_KIND, codeId, shipped);
    return true;
  }
  const first = await revokeSession(records, current.sessionId, now, current.sessionExpiresAt);
  const second = await revokeSession(records, shipped.sessionId, now, shipped.sessionExpiresAt);
  return first || second;
}
