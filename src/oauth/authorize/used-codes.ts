import type { EncryptedRecords, WritableRecords } from '../../crypto/encrypted-records.ts';

/**
 * Single use of authorization codes, the one thing a sealed code cannot enforce alone (RFC 6749
 * §4.1.2): redeeming a code leaves a record of kind `authorization-code` (id = the code's id)
 * holding the session its tokens belong to, so a second redemption is refused and can revoke it.
 *
 * The record goes where this region writes its own changes (EncryptedRecords.writableHere): the
 * pool's records on the primary, in the transaction that issues the tokens; region-local state on
 * a secondary replica, whose records are the primary's (single use then holds within the region,
 * docs/REPLICATION.md). A record is needed only until its code expires, since a later redemption
 * fails on the expiry, so each redemption drops a few records of expired codes from the same place
 * it wrote its own: the kind stays about as large as the codes redeemed in one code lifetime,
 * without a sweeper.
 */
export const AUTHORIZATION_CODE_RECORD_KIND = 'authorization-code';
/** Expired used-code records removed per redemption: bounded work, and enough to keep up. */
const SWEEP_BATCH = 25;
/**
 * How long a record outlives its code. A redemption that finds no record refuses the code only by
 * comparing its expiry with its own clock (redeemAuthorizationCode), and the clock of another
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

/** Records the code as used, then drops a few records of codes expired well before `now`. */
export async function markCodeUsed(records: EncryptedRecords, codeId: string, used: UsedCodeRecord, now: number): Promise<void> {
  const writable = records.writableHere;
  await writable.put<UsedCodeRecord>(AUTHORIZATION_CODE_RECORD_KIND, codeId, used);
  await sweepExpiredCodes(writable, now);
}

/**
 * Looks at the first page by id only: code ids are random (randomUUID), so that page is a fair
 * sample of the kind and the sweep keeps expired records a small share of it. Dropping a record
 * while another redemption of its code runs is safe because redeemAuthorizationCode reads the
 * clock after the record: a code whose record is gone has expired by then and is refused.
 */
async function sweepExpiredCodes(writable: WritableRecords, now: number): Promise<void> {
  const page = await writable.list<UsedCodeRecord>(AUTHORIZATION_CODE_RECORD_KIND, null, SWEEP_BATCH);
  for (const item of page.items) {
    if (item.value.expiresAt + KEPT_AFTER_EXPIRY_MS <= now) await writable.delete(AUTHORIZATION_CODE_RECORD_KIND, item.id);
  }
}
