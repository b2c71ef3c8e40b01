import type { EncryptedRecords } from '../crypto/encrypted-records.ts';

/**
 * A kind of region-local state that a secondary replica writes for itself (through
 * `records.writableHere`) and ships, sealed, to its pool's primary, where it is merged into the
 * pool's records and so replicates to every region: sign-outs, revoked sessions, used
 * authorization codes. The kinds are the domain's; the composition root lists them
 * (regions/region-replication.ts), so neither the shipper nor the receiving primary depends on
 * the protocols that write them.
 */
export interface ShippedKind {
  kind: string;
  /**
   * Merges one shipped value into the primary's records, in its write transaction; true when that
   * changed anything. Shipments are retried and arrive in any order, so a merge must be idempotent
   * and commutative.
   */
  merge(records: EncryptedRecords, id: string, value: unknown, now: number): Promise<boolean>;
}
