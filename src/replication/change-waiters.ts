/**
 * The change feed's long-poll: requests for a pool's changes after sequence S that found none wait
 * here until the store announces a commit past S (Store.onCommit, in this process), their time runs
 * out, their client goes away, or the feed closes. Bounded: past `maximumWaiters` a request is not
 * held (the caller answers at once), so idle secondaries cannot pile up timers and sockets.
 */
export type WaitOutcome = 'changed' | 'timeout' | 'aborted' | 'closed';

export const DEFAULT_MAXIMUM_WAITERS = 1000;

interface Waiter {
  after: number;
  finish(outcome: WaitOutcome): void;
}

export class ChangeWaiters {
  /**
   * The last sequence announced per pool: a commit announced between a request's read of the log
   * and its call to wait() is seen here rather than missed. Set, not maximised, so a pool deleted
   * and created again under the same id starts over.
   */
  private readonly announced = new Map<string, number>();
  private readonly waiting = new Map<string, Set<Waiter>>();
  private count = 0;
  private closed = false;

  constructor(private readonly maximumWaiters = DEFAULT_MAXIMUM_WAITERS) {}

  /** Requests waiting now. */
  get size(): number {
    return this.count;
  }

  /** True once close() was called: the server is shutting down. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** False when the feed is closed or full: the caller should answer without waiting. */
  canWait(): boolean {
    return !this.closed && this.count < this.maximumWaiters;
  }

  announce(poolId: string, lastSequence: number): void {
    this.announced.set(poolId, lastSequence);
    for (const waiter of this.waiting.get(poolId) ?? []) {
      if (lastSequence > waiter.after) waiter.finish('changed');
    }
  }

  /**
   * Resolves when a commit after `after` is announced for the pool (at once if one already was),
   * after `waitMs`, when `signal` aborts, or when the feed closes. Never rejects. Answers 'closed'
   * at once when the feed is closed or full (see canWait).
   */
  wait(poolId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (!this.canWait()) return Promise.resolve('closed');
    if ((this.announced.get(poolId) ?? 0) > after) return Promise.resolve('changed');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      let pool = this.waiting.get(poolId);
      if (!pool) this.waiting.set(poolId, (pool = new Set()));
      const waiters = pool;
      const onAbort = () => waiter.finish('aborted');
      const timer = setTimeout(() => waiter.finish('timeout'), waitMs);
      const waiter: Waiter = {
        after,
        finish: (outcome) => {
          if (!waiters.delete(waiter)) return;
          this.count -= 1;
          if (waiters.size === 0 && this.waiting.get(poolId) === waiters) this.waiting.delete(poolId);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      waiters.add(waiter);
      this.count += 1;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Releases every waiter ('closed') and holds no request from now on. */
  close(): void {
    this.closed = true;
    for (const waiters of [...this.waiting.values()]) for (const waiter of [...waiters]) waiter.finish('closed');
  }
}
