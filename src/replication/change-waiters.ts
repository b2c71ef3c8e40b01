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

/**
 * One request admitted to wait. It keeps its place until release(), across all its waits (a held
 * request re-reads the log between them): were the place given up for each re-read, another
 * request could take it and this one, already told it is held, would be answered at once.
 */
export interface HeldRequest {
  /**
   * Resolves when a commit after `after` is announced for the pool (at once if one already was),
   * after `waitMs`, when `signal` aborts, or when the feed closes ('closed', at once if it already
   * is). Never rejects.
   */
  wait(poolId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  /** Gives the place back; idempotent. */
  release(): void;
  /** True once the feed is closing: the server waits for this request's answer. */
  feedClosed(): boolean;
}

export class ChangeWaiters {
  /**
   * The last sequence announced per pool: a commit announced between a request's read of the log
   * and its call to wait() is seen here rather than missed. Set, not maximised, so a pool deleted
   * and created again under the same id starts over.
   */
  private readonly announced = new Map<string, number>();
  private readonly waiting = new Map<string, Set<Waiter>>();
  private held = 0;
  private closed = false;

  constructor(private readonly maximumWaiters = DEFAULT_MAXIMUM_WAITERS) {}

  /** Requests held now (admitted and not released). */
  get size(): number {
    return this.held;
  }

  /** A place to wait, or null when the feed is closed or full: the caller answers without waiting. */
  hold(): HeldRequest | null {
    if (this.closed || this.held >= this.maximumWaiters) return null;
    this.held += 1;
    let released = false;
    return {
      wait: (poolId, after, waitMs, signal) => (released ? Promise.resolve('closed') : this.wait(poolId, after, waitMs, signal)),
      release: () => {
        if (released) return;
        released = true;
        this.held -= 1;
      },
      feedClosed: () => this.closed,
    };
  }

  announce(poolId: string, lastSequence: number): void {
    this.announced.set(poolId, lastSequence);
    for (const waiter of this.waiting.get(poolId) ?? []) {
      if (lastSequence > waiter.after) waiter.finish('changed');
    }
  }

  /** Releases every waiter ('closed') and holds no request from now on. */
  close(): void {
    this.closed = true;
    for (const waiters of [...this.waiting.values()]) for (const waiter of [...waiters]) waiter.finish('closed');
  }

  private wait(poolId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.closed) return Promise.resolve('closed');
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
          if (waiters.size === 0 && this.waiting.get(poolId) === waiters) this.waiting.delete(poolId);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
