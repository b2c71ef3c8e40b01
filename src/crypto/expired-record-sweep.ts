import type { WritableRecords } from './encrypted-records.ts';

/** Records looked at per sweep: bounded work, and more than the one record each caller adds. */
const SWEEP_BATCH = 25;
/**
 * Most records one sweep looks at, however many its caller added: a shipment merged at a primary
 * adds up to 200 (replication/shipped-kinds.ts SHIPMENT_LIMIT) in one write transaction, which
 * every other writer of the pool waits for; twice that is 400.
 */
const MAX_SWEEP = 500;
/** Where each pool's sweep of each kind goes on, per process. */
const cursors = new Map<string, string>();
const MAX_CURSORS = 10_000;

/**
 * Drops the records of `kind` that `expired` says no request can need any more, a page at a time,
 * for kinds that grow by one record per event (a revoked session, a used authorization code): the
 * code that adds a record calls this after it, in the same place (`writable`), so the kind stays
 * about as large as the records added within one lifetime, without a sweeper process.
 *
 * Each call looks at the next page after where the last call in this process stopped, wrapping
 * round at the end. A cursor, not the first page: ids that sort by age (UUIDv7 session ids) put
 * the oldest records first, and a few long-lived ones there would stall a sweep that always began
 * at the start. A caller adds one record and looks at SWEEP_BATCH, so every record is looked at
 * within a fraction of the calls that follow it. A caller that added several (`added`: a merged
 * shipment) sweeps once for all of them, looking at twice as many, up to MAX_SWEEP, so the
 * cursor still goes round faster than the kind grows. Processes sweeping the same pool keep their
 * own cursors; that only repeats some work.
 */
export async function sweepExpiredRecords<T>(poolId: string, writable: WritableRecords, kind: string, expired: (value: T) => boolean, added = 1): Promise<void> {
  const key = `${poolId}\u0000${kind}`;
  const page = await writable.list<T>(kind, cursors.get(key) ?? null, Math.min(MAX_SWEEP, Math.max(SWEEP_BATCH, 2 * added)));
  for (const item of page.items) {
    if (expired(item.value)) await writable.delete(kind, item.id);
  }
  if (page.nextAfter === null) {
    cursors.delete(key);
    return;
  }
  if (cursors.size >= MAX_CURSORS) cursors.clear();
  cursors.set(key, page.nextAfter);
}
