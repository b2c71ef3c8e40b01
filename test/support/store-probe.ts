import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolTransaction, Store } from '../../src/store/store.ts';
import { startTestRegion, type TestRegion } from './region.ts';
import { ThreadPoolStall } from './thread-pool-stall.ts';

/**
 * Watches a region's store from outside, by wrapping `transaction` and `read` on the instance the
 * region's vault uses: how many write transactions are open (or queued), how often the store was
 * entered or left, and a hook to run as the next transaction begins.
 */
export class StoreProbe {
  openTransactions = 0;
  uses = 0;
  private lastUse = performance.now();
  private nextTransaction: (() => void) | null = null;

  constructor(store: Store) {
    const transaction = store.transaction.bind(store);
    const read = store.read.bind(store);
    store.transaction = async <T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> => {
      this.touch();
      const hook = this.nextTransaction;
      this.nextTransaction = null;
      hook?.();
      this.openTransactions += 1;
      try {
        return await transaction(poolId, work);
      } finally {
        this.openTransactions -= 1;
        this.touch();
      }
    };
    store.read = async <T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>): Promise<T> => {
      this.touch();
      try {
        return await read(poolId, work);
      } finally {
        this.touch();
      }
    };
  }

  beforeNextTransaction(hook: (() => void) | null): void {
    this.nextTransaction = hook;
  }

  /**
   * Resolves once the store has been used more than `uses` times and then not for `ms`: a request
   * that reached the store and is now waiting for something else.
   */
  async quietAfter(uses: number, ms = 100): Promise<void> {
    const deadline = performance.now() + 10_000;
    while (this.uses <= uses || performance.now() - this.lastUse < ms) {
      if (performance.now() > deadline) throw new Error('the store never went quiet');
      await sleep(10);
    }
  }

  private touch(): void {
    this.uses += 1;
    this.lastUse = performance.now();
  }
}

/**
 * A test region whose store a StoreProbe watches: started before the suite's tests, stopped after.
 * Call it in a describe block; read `region` and `probe` inside the tests.
 */
export function probedTestRegion(): { readonly region: TestRegion; readonly probe: StoreProbe } {
  let started: { region: TestRegion; probe: StoreProbe } | null = null;
  before(async () => {
    const region = await startTestRegion();
    started = { region, probe: new StoreProbe(region.region.store) };
  });
  after(async () => {
    await started?.region.stop();
  });
  const get = () => {
    if (!started) throw new Error('the probed region starts in before(): use it inside tests');
    return started;
  };
  return {
    get region() {
      return get().region;
    },
    get probe() {
      return get().probe;
    },
  };
}

/**
 * Runs `action` with libuv's thread pool held from `holdFrom` on (at once, or as the next write
 * transaction begins), and checks what a user of the pool would see while the action's slow
 * crypto waits there: no write transaction is held open for it, and `otherWrite`, a write to the
 * same pool, completes meanwhile. Then releases the thread pool and returns the action's answer.
 */
export async function whileThreadPoolHeld<T>(
  probe: StoreProbe,
  options: { holdFrom: 'now' | 'next-transaction'; otherWrite: () => Promise<unknown> },
  action: () => Promise<T>,
): Promise<T> {
  const stall = new ThreadPoolStall();
  if (options.holdFrom === 'now') stall.hold();
  else probe.beforeNextTransaction(() => stall.hold());
  const uses = probe.uses;
  const answer = action();
  // Observed below; a rejection must not go unhandled while the checks run.
  answer.catch(() => undefined);
  try {
    await probe.quietAfter(uses);
    assert.equal(await hasSettled(answer), false, 'the action waits for the thread pool');
    assert.equal(probe.openTransactions, 0, 'no write transaction is open while the action waits for the thread pool');
    await withinDeadline(options.otherWrite(), 5_000, 'another write to the pool waited for the slow crypto');
    assert.equal(await hasSettled(answer), false, 'the action still waits for the thread pool');
  } finally {
    probe.beforeNextTransaction(null);
    await stall.release();
  }
  return answer;
}

async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true, () => true), sleep(0).then(() => false)]);
}

async function withinDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, undefined, { signal: timeout.signal }).then(() => Promise.reject(new Error(message)))]);
  } finally {
    timeout.abort();
  }
}
