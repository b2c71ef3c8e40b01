import { signedFetch } from '../wire/signed-fetch.ts';
import { PoolMissing, PoolRoleMismatch, poolRole, type Store } from '../store/store.ts';
import { REPLICATION_SIGNING_NAME } from './change-feed-routes.ts';
import { changesOf, decodeCursor, encodeCursor, poolEntryOf, snapshotRecordsOf, type ChangesMessage, type SnapshotPageMessage } from './feed-messages.ts';

export interface ReplicaPullerOptions {
  /** The primary region's base URL, e.g. `http://primary.internal:9229`. */
  endpoint: string;
  /** The primary's region name: the signature's credential scope. */
  region: string;
  credential: { accessKeyId: string; secretAccessKey: string };
  poolId: string;
  /** This (secondary) region's store. */
  store: Store;
  /** Records per snapshot page (default 200). */
  pageSize?: number;
  /** Changes per pull (default 500). */
  batchSize?: number;
  /**
   * Once caught up, how long the primary may hold a changes request until a change commits
   * (long-poll, default 20 s, at most 30 s); 0 polls every idleDelayMs instead. A primary that does not
   * hold requests is polled every idleDelayMs either way.
   */
  waitMs?: number;
  /** Wait before polling again once caught up, when the primary does not long-poll (default 1 s). */
  idleDelayMs?: number;
  /** Ceiling of the doubling wait after errors (default 30 s). */
  maximumBackoffMs?: number;
  /** Per-request timeout (default 10 s), on top of the long-poll's waitMs. */
  timeoutMs?: number;
  /** Told about every failed round (the loop keeps going, backing off). */
  onError?: (error: Error) => void;
  /** Told once when the loop ends because the replica pool was deleted in this region. */
  onDeleted?: () => void;
  now?: () => number;
}

/** Long-poll wait of a caught-up puller: long enough to spare idle requests, under the feed's 30 s cap. */
const DEFAULT_WAIT_MS = 20_000;

export interface ReplicationProgress {
  poolId: string;
  phase: 'idle' | 'snapshot' | 'changes';
  copiedRecords: number;
  /** The record count the primary reported when the copy started: an estimate. */
  totalRecords: number;
  appliedSequence: number;
  /** The primary's last sequence seen. */
  primarySequence: number;
  /** Age of the newest change still to apply: 0 when caught up; null before the first pull. */
  lagSeconds: number | null;
  lastError: string | null;
}

/** The replica pool this puller follows was deleted here: the puller stops. */
export class ReplicaDeleted extends Error {
  constructor(readonly poolId: string) {
    super(`replica pool ${poolId} was deleted in this region`);
    this.name = 'ReplicaDeleted';
  }
}

/** A failed feed request; `status` 0 when the primary could not be reached. */
export class ChangeFeedError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(`change feed ${status} ${type}: ${message}`);
    this.name = 'ChangeFeedError';
  }
}

/**
 * Keeps one pool of this region a replica of the primary's: copies the snapshot page by page
 * (createReplicaPool, then applySnapshotPage, whose saved progress lets a restart continue where
 * the copy stopped), then applies the change stream after the snapshot's sequence in bounded
 * batches. Everything resumes from what the store holds (appliedSequence, snapshotProgress), and
 * the store skips what it already applied and refuses gaps, so restarts neither lose nor repeat
 * changes. The loop reads those when it starts and after a failed round; once the copy is
 * complete it keeps them itself (it writes them), so a round costs no read of the pool entry. A
 * replica deleted here (by whichever worker) is noticed by the next write, or the next read, and
 * ends the loop: a pool this puller once saw is never copied again. Ciphertext is stored as
 * shipped; this class never sees a key.
 */
export class ReplicaPuller {
  private readonly now: () => number;
  /** Set once the replica pool existed here: a later absence means it was deleted. */
  private sawPool = false;
  /**
   * True while this puller knows the copy is complete and `state.appliedSequence` is the store's
   * (it wrote it last): the loop's rounds then skip reading the pool entry. Cleared when a round
   * fails, when the loop starts and by recheckStore(), so those read the store again.
   */
  private following = false;
  private state: ReplicationProgress;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  /** Aborts the request in flight when stop() is called (a long-poll may otherwise hold it for waitMs). */
  private halt = new AbortController();

  constructor(private readonly options: ReplicaPullerOptions) {
    this.now = options.now ?? Date.now;
    this.state = { poolId: options.poolId, phase: 'idle', copiedRecords: 0, totalRecords: 0, appliedSequence: 0, primarySequence: 0, lagSeconds: null, lastError: null };
  }

  progress(): ReplicationProgress {
    return { ...this.state };
  }

  /**
   * Copies the snapshot if it is not complete yet; `maxPages` stops early (the next call, or a
   * new puller after a restart, continues). Returns true once the copy is complete.
   */
  async copySnapshot(maxPages = Number.POSITIVE_INFINITY): Promise<boolean> {
    const { store, poolId } = this.options;
    let local = await store.getPool(poolId);
    if (local && poolRole(local) !== 'replica') throw new PoolRoleMismatch(poolId, 'primary');
    // Gone after this puller saw it: the replica was deleted (perhaps by another worker). Copying
    // again would bring it back.
    if (!local && this.sawPool) throw new ReplicaDeleted(poolId);
    if (local) this.sawPool = true;
    let progress = local?.snapshotProgress ?? null;
    if (local) this.remember(local.appliedSequence ?? 0, progress);
    if (progress?.complete) return (this.following = true);
    this.state.phase = 'snapshot';
    let cursor = progress?.after ? encodeCursor(progress.after) : null;
    const pageOf = (at: string | null) => this.get<SnapshotPageMessage>('snapshot', { ...(at ? { cursor: at } : {}), limit: String(this.options.pageSize ?? 200) });
    let fetching: Promise<SnapshotPageMessage> | null = pageOf(cursor);
    for (let pages = 0; fetching && pages < maxPages; pages++) {
      const page: SnapshotPageMessage = await fetching;
      // The next page is read on the primary and crosses the network while this one is written
      // here: the two sides work at the same time instead of taking turns.
      fetching = page.nextCursor && pages + 1 < maxPages ? pageOf(page.nextCursor) : null;
      // Settled below or abandoned when this round fails; never an unhandled rejection.
      fetching?.catch(() => undefined);
      if (!local) {
        // The first page's sequence is where the change stream starts (see Store.snapshot).
        const entry = poolEntryOf(page.pool);
        await store.createReplicaPool({ poolId, wrappedDataKey: entry.wrappedDataKey, keyReference: entry.keyReference, createdAt: entry.createdAt }, entry.lastSequence);
        local = await store.getPool(poolId);
        this.sawPool = true;
        this.remember(entry.lastSequence, null);
      }
      const records = snapshotRecordsOf(page);
      const next = page.nextCursor ? decodeCursor(page.nextCursor) : null;
      progress = {
        complete: next === null,
        after: next,
        copiedRecords: (progress?.copiedRecords ?? 0) + records.length,
        totalRecords: progress?.totalRecords || Math.max(0, page.totalRecords),
      };
      try {
        await store.applySnapshotPage(poolId, records, progress);
      } catch (error) {
        throw this.deletedOr(error);
      }
      this.remember(this.state.appliedSequence, progress);
      if (progress.complete) return (this.following = true);
      cursor = page.nextCursor;
    }
    return false;
  }

  /**
   * Pulls and applies one batch of changes; returns how many were new. With `waitMs`, the primary
   * may hold the request until a change commits (see ReplicaPullerOptions.waitMs).
   */
  async pullChanges(options: { waitMs?: number } = {}): Promise<number> {
    return (await this.pullRound(options.waitMs ?? 0)).applied;
  }

  private async pullRound(waitMs: number): Promise<{ applied: number; held: boolean }> {
    const { store, poolId } = this.options;
    try {
      const from = this.following ? this.state.appliedSequence : await this.storedAppliedSequence();
      this.state.phase = 'changes';
      const message = await this.get<ChangesMessage>('changes', { after: String(from), limit: String(this.options.batchSize ?? 500), ...(waitMs > 0 ? { waitMs: String(waitMs) } : {}) }, waitMs);
      const changes = changesOf(poolId, message);
      // A replica deleted here meanwhile (perhaps by another worker) makes this write fail: PoolMissing.
      const applied = changes.length > 0 ? await store.applyChanges(poolId, changes) : from;
      this.state.appliedSequence = applied;
      this.state.primarySequence = message.lastSequence;
      // The oldest change not yet applied would be the next one; the batch's last is the best known bound.
      const lastAt = changes[changes.length - 1]?.at;
      this.state.lagSeconds = applied >= message.lastSequence || lastAt === undefined ? 0 : Math.max(0, (this.now() - lastAt) / 1000);
      return { applied: applied - from, held: (message.waitMs ?? 0) > 0 };
    } catch (error) {
      // The store may not be what this puller believed (a gap, the pool deleted or created again):
      // the next round reads it.
      this.following = false;
      throw this.deletedOr(error);
    }
  }

  /** The applied sequence as stored, for a pool whose copy is complete. */
  private async storedAppliedSequence(): Promise<number> {
    const { store, poolId } = this.options;
    const local = await store.getPool(poolId);
    if (!local && this.sawPool) throw new ReplicaDeleted(poolId);
    if (!local || !local.snapshotProgress?.complete) throw new Error(`pool ${poolId} has no complete snapshot to apply changes to`);
    this.sawPool = true;
    this.remember(local.appliedSequence ?? 0, local.snapshotProgress);
    this.following = true;
    return this.state.appliedSequence;
  }

  /** A store write that found no pool, once this puller had seen it, means the replica was deleted here. */
  private deletedOr(error: unknown): unknown {
    return error instanceof PoolMissing && this.sawPool ? new ReplicaDeleted(this.options.poolId) : error;
  }

  /** Copies the snapshot if needed, then pulls until a batch brings nothing new. */
  async catchUp(): Promise<ReplicationProgress> {
    await this.copySnapshot();
    while ((await this.pullChanges()) > 0 && !this.stopping);
    return this.progress();
  }

  /**
   * Runs in the background until stop(): copies the snapshot, then follows the change stream,
   * long-polling once caught up (or waiting idleDelayMs when the primary does not hold requests),
   * backing off after errors.
   */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    // A restarted loop trusts nothing it knew before: the store may have moved on meanwhile.
    this.following = false;
    this.halt = new AbortController();
    this.running = this.loop();
  }

  /** Whether the background loop runs (start() called, stop() not since). */
  get started(): boolean {
    return this.running !== null;
  }

  /**
   * The next round reads the pool entry from the store again, as after a restart: for a caller that
   * saw the store change under this puller (the replica deleted and created again by another
   * worker, its copy not complete).
   */
  recheckStore(): void {
    this.following = false;
  }

  /** Stops the loop, cutting a held long-poll short; resolves once the round in flight has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    this.wake?.();
    await this.running;
    this.running = null;
    // Direct calls (catchUp, pullChanges) after stop() get a live signal again.
    this.halt = new AbortController();
  }

  private async loop(): Promise<void> {
    const idle = this.options.idleDelayMs ?? 1000;
    const ceiling = this.options.maximumBackoffMs ?? 30_000;
    const longPollMs = this.options.waitMs ?? DEFAULT_WAIT_MS;
    let backoff = idle;
    let idleRound = false;
    while (!this.stopping) {
      try {
        if (!this.following) await this.copySnapshot();
        // Caught up (or the last round brought nothing): let the primary hold the next request.
        const caughtUp = idleRound || (this.state.lagSeconds !== null && this.state.appliedSequence >= this.state.primarySequence);
        const waitMs = caughtUp ? longPollMs : 0;
        const round = await this.pullRound(waitMs);
        this.state.lastError = null;
        backoff = idle;
        idleRound = round.applied === 0;
        // Nothing new and not held by the primary: it does not long-poll (or is full), so poll slowly.
        if (idleRound && !(waitMs > 0 && round.held) && !(waitMs === 0 && longPollMs > 0)) await this.sleep(idle);
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof ReplicaDeleted) {
          this.options.onDeleted?.();
          break;
        }
        const failure = error instanceof Error ? error : new Error(String(error));
        this.state.lastError = failure.message;
        this.options.onError?.(failure);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, ceiling);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private remember(appliedSequence: number, progress: { copiedRecords: number; totalRecords: number } | null): void {
    this.state.appliedSequence = appliedSequence;
    if (progress) {
      this.state.copiedRecords = progress.copiedRecords;
      this.state.totalRecords = progress.totalRecords;
    }
  }

  private async get<T>(operation: 'snapshot' | 'changes', query: Record<string, string>, heldMs = 0): Promise<T> {
    let response: Response;
    try {
      response = await signedFetch({
        endpoint: this.options.endpoint,
        method: 'GET',
        path: `/replication/pools/${encodeURIComponent(this.options.poolId)}/${operation}`,
        query,
        region: this.options.region,
        service: REPLICATION_SIGNING_NAME,
        credentials: this.options.credential,
        signal: AbortSignal.any([this.halt.signal, AbortSignal.timeout((this.options.timeoutMs ?? 10_000) + heldMs)]),
      });
    } catch (error) {
      throw new ChangeFeedError(0, 'Unreachable', (error as Error).message);
    }
    const text = await response.text();
    if (!response.ok) {
      let body: { __type?: string; message?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: reported by status alone
      }
      throw new ChangeFeedError(response.status, body.__type ?? 'Error', body.message ?? text.slice(0, 200));
    }
    return JSON.parse(text) as T;
  }
}
