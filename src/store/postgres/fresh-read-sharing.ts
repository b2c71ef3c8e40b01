/**
 * One database read shared by every caller that asked for the same key while an earlier read of
 * it was in flight, without ever giving a caller an answer older than its call.
 *
 * Why: Store.poolVersion runs on every request of a hot path (the read cache's freshness check,
 * crypto/record-read-cache.ts). On SQLite it is a few microseconds in-process; on PostgreSQL it is
 * a round trip, and at 16 concurrent grants each request paid its own, in the server's main
 * thread (node-postgres) and in a PostgreSQL backend on the same cores.
 *
 * Why a caller never joins the read already in flight: that read may have been sent before the
 * caller began, so it could miss a commit the caller must see (the cache's "a read sees what the
 * store held when it began"). A caller arriving during a read waits instead for the next one,
 * which is sent only when the current one returns, so after every caller waiting on it began.
 * Under load a caller therefore waits at most about two round trips, and the database answers one
 * read per round trip per key instead of one per request.
 */
export class FreshReadSharing<V> {
  private readonly keys = new Map<string, Waiter<V>[]>();

  constructor(private readonly read: (key: string) => Promise<V>) {}

  get(key: string): Promise<V> {
    const waiting = this.keys.get(key);
    return new Promise<V>((resolve, reject) => {
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      this.keys.set(key, []);
      this.send(key, [{ resolve, reject }]);
    });
  }

  /** Sends one read for `batch`; when it returns, the callers that arrived meanwhile get the next. */
  private send(key: string, batch: Waiter<V>[]): void {
    let sent: Promise<V>;
    try {
      sent = this.read(key);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (value) => {
        for (const waiter of batch) waiter.resolve(value);
      },
      (error: unknown) => {
        for (const waiter of batch) waiter.reject(error);
      },
    ).finally(() => {
      const next = this.keys.get(key) ?? [];
      if (next.length === 0) {
        this.keys.delete(key);
        return;
      }
      this.keys.set(key, []);
      this.send(key, next);
    });
  }
}

interface Waiter<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}
