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
  /**
   * Drops records of the kind that no request needs any more, after a shipment merged `merged` of
   * them: once per shipment, not per value (up to SHIPMENT_LIMIT values, all in one write
   * transaction that every writer of the pool waits for). Kinds that do not grow per event
   * (sign-out watermarks, one per user) have none.
   */
  sweep?(records: EncryptedRecords, now: number, merged: number): Promise<void>;
}

/**
 * Most values in one shipment: what a secondary sends at once and what a primary accepts. It
 * bounds the primary's write transaction that merges them, and sweepExpiredRecords's page (twice
 * this, at most) keeps up with it.
 */
export const SHIPMENT_LIMIT = 200;

/** One value of a shipment, opened, with the kind that merges it. */
export interface OpenedShippedValue {
  shipped: ShippedKind;
  id: string;
  value: unknown;
}

/**
 * Merges a shipment's values in order, then sweeps each kind that any of them changed, once;
 * resolves to how many values changed anything. Runs inside the primary's write transaction.
 * (A merge that revokes sessions, a code used on both sides, sweeps revoked sessions itself, as
 * any revocation made at the primary does.)
 */
export async function mergeShipment(records: EncryptedRecords, values: readonly OpenedShippedValue[], now: number): Promise<number> {
  const mergedPerKind = new Map<ShippedKind, number>();
  for (const item of values) {
    if (await item.shipped.merge(records, item.id, item.value, now)) mergedPerKind.set(item.shipped, (mergedPerKind.get(item.shipped) ?? 0) + 1);
  }
  let merged = 0;
  for (const [shipped, count] of mergedPerKind) {
    merged += count;
    await shipped.sweep?.(records, now, count);
  }
  return merged;
}
