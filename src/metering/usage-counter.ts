import type { PoolVault } from '../crypto/pool-vault.ts';
import { PoolMissing } from '../store/store.ts';

/**
 * Counts machine-to-machine access tokens (client_credentials grants) per user pool, app client,
 * region and calendar month (UTC), the unit Cognito prices M2M usage in.
 *
 * Counts are region-local state (vault.writeLocal): each region counts what it issued and
 * replication never overwrites it. Issuing a token only bumps an in-memory counter; a timer
 * flushes the pending counts into the pool's local document, and a read flushes its pool first,
 * so what is read includes every token issued before the read.
 *
 * Several processes of one region (`serve --workers`, servers sharing a PostgreSQL) each count
 * in memory and add their counts with an atomic read-modify-write (PoolVault.updateLocal), so no
 * flush overwrites another process's. A read asks the other processes, when there are any
 * (`peers`), to flush the pool first, so it includes what they issued before it too.
 */
export const M2M_USAGE_KIND = 'm2m-token-usage';

/** The local document of one pool and month: tokens per client id. */
interface MonthlyUsage {
  clients: Record<string, number>;
}

export interface M2MUsage {
  region: string;
  poolId: string;
  /** `YYYY-MM`, UTC. */
  period: string;
  total: number;
  clients: Array<{ clientId: string; tokens: number }>;
}

export interface UsageCounterOptions {
  /** How often pending counts are written; default 5 s. */
  flushIntervalMs?: number;
  now?: () => number;
  /** The region's other processes counting the same pools (worker processes of one `serve`). */
  peers?: UsagePeers;
}

/** How a counter reaches the counters of the region's other processes. */
export interface UsagePeers {
  /** Resolves once every other process has written its pending counts of the pool. */
  flushOthers(poolId: string): Promise<void>;
  /** Registers what this process does when another one asks it to flush a pool. */
  onFlushRequest(flush: (poolId: string) => Promise<void>): void;
}

export class UsageCounter {
  /** poolId -> period -> clientId -> tokens not yet written. */
  private readonly pending = new Map<string, Map<string, Map<string, number>>>();
  /** The last flush of each pool, so flushes of one pool never overlap. */
  private readonly flushing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly vault: PoolVault, private readonly region: string, private readonly options: UsageCounterOptions = {}) {
    this.now = options.now ?? Date.now;
    options.peers?.onFlushRequest((poolId) => this.flushPool(poolId));
  }

  /** Counts one issued M2M token. Synchronous and allocation-light: it runs on every grant. */
  recordM2MToken(poolId: string, clientId: string): void {
    this.add(poolId, periodOf(this.now()), clientId, 1);
    this.schedule();
  }

  /** The pool's M2M token counts of `period` (default: this month) in this region. */
  async m2mTokens(poolId: string, period: string = periodOf(this.now())): Promise<M2MUsage> {
    await Promise.all([this.flushPool(poolId), this.options.peers?.flushOthers(poolId)]);
    const usage = (await this.vault.readLocal<MonthlyUsage>(poolId, M2M_USAGE_KIND, period)) ?? { clients: {} };
    const clients = Object.entries(usage.clients)
      .map(([clientId, tokens]) => ({ clientId, tokens }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId));
    return { region: this.region, poolId, period, total: clients.reduce((sum, client) => sum + client.tokens, 0), clients };
  }

  /** Writes every pending count. Counts of a pool that failed to write stay pending for the next flush. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((poolId) => this.flushPool(poolId).catch(() => undefined)));
  }

  /** Stops the timer and writes what is pending (on shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.flushIntervalMs ?? 5_000);
    // Pending counts must not keep a process alive; close() flushes them on shutdown.
    this.timer.unref();
  }

  private flushPool(poolId: string): Promise<void> {
    const previous = this.flushing.get(poolId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.writePending(poolId));
    this.flushing.set(poolId, next);
    void next.finally(() => {
      if (this.flushing.get(poolId) === next) this.flushing.delete(poolId);
    }).catch(() => undefined);
    return next;
  }

  private async writePending(poolId: string): Promise<void> {
    const byPeriod = this.pending.get(poolId);
    if (!byPeriod) return;
    this.pending.delete(poolId);
    for (const [period, byClient] of byPeriod) {
      try {
        await this.vault.updateLocal<MonthlyUsage, void>(poolId, M2M_USAGE_KIND, period, (current) => {
          const usage = current ?? { clients: {} };
          for (const [clientId, tokens] of byClient) usage.clients[clientId] = (usage.clients[clientId] ?? 0) + tokens;
          return { value: usage, result: undefined };
        });
        byPeriod.delete(period);
      } catch (error) {
        // A deleted pool has nothing left to bill; anything else is retried on the next flush.
        if (error instanceof PoolMissing) return;
        this.restore(poolId, byPeriod);
        throw error;
      }
    }
  }

  private restore(poolId: string, unwritten: Map<string, Map<string, number>>): void {
    for (const [period, byClient] of unwritten) {
      for (const [clientId, tokens] of byClient) this.add(poolId, period, clientId, tokens);
    }
    this.schedule();
  }

  private add(poolId: string, period: string, clientId: string, tokens: number): void {
    let byPeriod = this.pending.get(poolId);
    if (!byPeriod) this.pending.set(poolId, (byPeriod = new Map()));
    let byClient = byPeriod.get(period);
    if (!byClient) byPeriod.set(period, (byClient = new Map()));
    byClient.set(clientId, (byClient.get(clientId) ?? 0) + tokens);
  }
}

/** `YYYY-MM` of an instant, UTC. */
export function periodOf(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 7);
}
