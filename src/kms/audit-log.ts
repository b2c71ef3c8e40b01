import type { AuditEvent, AuditQuery, KmsStore, StoredAuditEvent } from '../store/kms/kms-store.ts';

/** At most this many events per store write; the rest wait for the next one. */
const BATCH_LIMIT = 500;

/**
 * The KMS audit log: every call is recorded before its answer leaves, including refusals. Writes
 * are group-committed: events recorded while a write is in flight go together in the next one, so
 * a busy region pays one durable commit per batch instead of one per call, and no call is
 * answered before its event is on disk.
 */
export class AuditLog {
  private pending: Array<{ event: AuditEvent; resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly store: KmsStore) {}

  record(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  list(query: AuditQuery): Promise<StoredAuditEvent[]> {
    return this.store.listAuditEvents(query);
  }

  /** Resolves once every event recorded so far is written (or has failed). */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the calls already under way in this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH_LIMIT);
      try {
        await this.store.appendAuditEvents(batch.map((entry) => entry.event));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = null;
  }
}
