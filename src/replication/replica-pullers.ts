import type { Store } from '../store/store.ts';
import type { PeerRegions } from './peer-client.ts';
import { ReplicaPuller, type ReplicationProgress } from './replica-puller.ts';

/** The region a pool id names as its home: pool ids keep Cognito's `<primary region>_<id>` form. */
export function primaryRegionOf(poolId: string): string {
  return poolId.slice(0, poolId.indexOf('_'));
}

/**
 * The running ReplicaPullers of this region, one per replica pool: each copies its pool from the
 * primary region named in the pool id, then follows its change stream, until stopped. After a
 * restart `resumeAll` starts one for every replica pool in the store, and each continues where
 * the store says it stopped (ReplicaPuller resumes from the applied sequence and copy progress).
 */
export class ReplicaPullers {
  private readonly pullers = new Map<string, ReplicaPuller>();

  constructor(
    private readonly options: {
      store: Store;
      peers: PeerRegions;
      /** Wait between polls once caught up. */
      idleDelayMs?: number;
      /** Records per snapshot page. */
      pageSize?: number;
      /**
       * False in the workers of `serve --workers` that do not lead replication: they copy a new
       * replica's first page when asked (startReplica) but never follow it; the leader adopts it.
       */
      follow?: boolean;
      onError?: (poolId: string, error: Error) => void;
      /**
       * Told once per puller stopped because its replica pool was deleted here, whoever noticed
       * first: the puller itself (another worker deleted it), the adoption pass, or stop().
       */
      onDeleted?: (poolId: string) => void;
    },
  ) {}

  /** The puller of a pool (created, not started, when there is none). */
  pullerFor(poolId: string): ReplicaPuller {
    const existing = this.pullers.get(poolId);
    if (existing) return existing;
    const primary = primaryRegionOf(poolId);
    const peer = this.options.peers.peer(primary);
    const puller: ReplicaPuller = new ReplicaPuller({
      endpoint: peer.endpoint,
      region: primary,
      credential: { accessKeyId: peer.accessKeyId, secretAccessKey: peer.secretAccessKey },
      poolId,
      store: this.options.store,
      idleDelayMs: this.options.idleDelayMs ?? 250,
      ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}),
      maximumBackoffMs: 5_000,
      onError: (error) => this.options.onError?.(poolId, error),
      onDeleted: () => this.forgetDeleted(poolId, puller),
    });
    this.pullers.set(poolId, puller);
    return puller;
  }

  start(poolId: string): void {
    // A worker that does not follow keeps no puller: the leader's is the one with live progress.
    if (this.options.follow === false) this.pullers.delete(poolId);
    else this.pullerFor(poolId).start();
  }

  /** Stops and forgets the puller of a replica pool deleted here (or about to be). */
  async stop(poolId: string): Promise<void> {
    const puller = this.pullers.get(poolId);
    if (!puller) return;
    this.pullers.delete(poolId);
    await puller.stop();
    this.options.onDeleted?.(poolId);
  }

  /** The replica pools with a running puller. */
  poolIds(): string[] {
    return [...this.pullers.keys()].sort();
  }

  progress(poolId: string): ReplicationProgress | null {
    return this.pullers.get(poolId)?.progress() ?? null;
  }

  /**
   * Starts a puller for every replica pool of the store that `keep` accepts and has none yet, and
   * stops the pullers of pools that are no longer replicas here (deleted, possibly by another
   * worker). Returns the replica pools followed.
   */
  async resumeAll(keep: (poolId: string) => Promise<boolean>): Promise<string[]> {
    // Only pullers already running when the listing begins can be judged by it. One not started
    // belongs to a startReplica still copying the first page (its pool is created when that page
    // arrives), and one started since may have a pool the listing missed: stopping either would
    // abort a replica being created. The next pass judges them.
    const running = [...this.pullers].filter(([, puller]) => puller.started);
    const followed = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = await this.options.store.listReplicaPools(after, 500);
      for (const entry of page) {
        if (!this.options.peers.has(primaryRegionOf(entry.poolId))) continue;
        const puller = this.pullers.get(entry.poolId);
        if (!puller) {
          if (!(await keep(entry.poolId))) continue;
          this.start(entry.poolId);
        } else if (!entry.snapshotProgress?.complete) {
          // A copy still to finish: this puller may believe it finished one (the replica was deleted
          // and created again by another worker since), so it reads the store again.
          puller.recheckStore();
        }
        followed.add(entry.poolId);
      }
      if (page.length < 500) break;
      after = page[page.length - 1]!.poolId;
    }
    for (const [poolId, puller] of running) if (!followed.has(poolId) && this.pullers.get(poolId) === puller) await this.stop(poolId);
    return [...followed];
  }

  /** Stops every puller (the region is closing; their pools stay). */
  async close(): Promise<void> {
    const all = [...this.pullers.values()];
    this.pullers.clear();
    await Promise.all(all.map((puller) => puller.stop()));
  }

  /** A puller that ended by itself on finding its pool deleted: it is no longer followed. */
  private forgetDeleted(poolId: string, puller: ReplicaPuller): void {
    if (this.pullers.get(poolId) !== puller) return;
    this.pullers.delete(poolId);
    this.options.onDeleted?.(poolId);
  }
}
