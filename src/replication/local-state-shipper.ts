import type { PoolVault } from '../crypto/pool-vault.ts';
import { PeerRequestFailed, type PeerRegions } from './peer-client.ts';
import type { ShippedValue } from './replica-control-routes.ts';
import { primaryRegionOf } from './replica-pullers.ts';
import { SHIPMENT_LIMIT } from './shipped-kinds.ts';

// Named before used codes travelled too; kept, so a queue written by an earlier version is still shipped.
const QUEUE_KIND = 'revocation-queue';
const QUEUE_ID = 'pending';

/**
 * Carries the region-local state of the shipped kinds (replication/shipped-kinds.ts: revocations
 * made in a secondary region, GlobalSignOut, RevokeToken, ... there, and the authorization codes
 * used there) to the primary, which merges them into the pool's records (max
 * watermark, union of revoked sessions, a code's use: see ShippedKind), so they replicate to every
 * region. They take effect in the secondary at once (its region-local copy is consulted with the
 * records); shipping only spreads them.
 *
 * The queue of what is not shipped yet is region-local state, changed only atomically
 * (PoolVault.updateLocal), so every worker of a region can add to it and ship from it: shipping
 * an entry twice is harmless (the merge is idempotent), losing one is not. Each value is
 * shipped at once; the leader retries the queues every few seconds, so one made while the primary
 * is down reaches it once it is back. Payloads travel sealed as stored.
 */
export class LocalStateShipper {
  /** One shipment at a time per pool in this process. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly shippedKinds: ReadonlySet<string>;

  constructor(private readonly options: { vault: PoolVault; peers: PeerRegions; kinds: readonly string[]; retryMs?: number; onError?: (poolId: string, error: Error) => void }) {
    this.shippedKinds = new Set(options.kinds);
  }

  /** Called for every region-local write of a replica pool; queues and ships the kinds it ships. */
  enqueue(poolId: string, kind: string, id: string): void {
    if (!this.shippedKinds.has(kind)) return;
    const entry = `${kind}\u0000${id}`;
    void this.options.vault
      .updateLocal<string[], void>(poolId, QUEUE_KIND, QUEUE_ID, (queue) => ({ value: queue?.includes(entry) ? null : [...(queue ?? []), entry], result: undefined }))
      .then(() => this.flush(poolId))
      .catch((error: Error) => this.options.onError?.(poolId, error));
  }

  /** Retries the queues of the pools `poolIds` names, every `retryMs`. */
  start(poolIds: () => string[]): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const poolId of poolIds()) void this.flush(poolId).catch((error: Error) => this.options.onError?.(poolId, error));
    }, this.options.retryMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Ships what the pool's queue holds; resolves with how many remain queued. */
  flush(poolId: string): Promise<number> {
    const previous = this.chains.get(poolId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.shipNow(poolId));
    this.chains.set(poolId, next);
    void next
      .finally(() => {
        if (this.chains.get(poolId) === next) this.chains.delete(poolId);
      })
      .catch(() => undefined);
    return next;
  }

  private async shipNow(poolId: string): Promise<number> {
    const { vault, peers } = this.options;
    const queue = (await vault.readLocal<string[]>(poolId, QUEUE_KIND, QUEUE_ID)) ?? [];
    if (queue.length === 0) return 0;
    const batch = queue.slice(0, SHIPMENT_LIMIT);
    const values: ShippedValue[] = [];
    for (const entry of batch) {
      const [kind, id] = entry.split('\u0000') as [string, string];
      const sealed = await vault.sealedLocal(poolId, kind, id);
      if (sealed) values.push({ kind, id, payload: sealed.toString('base64') });
    }
    let refused: PeerRequestFailed | null = null;
    try {
      await peers.request(primaryRegionOf(poolId), 'POST', `/replication/pools/${encodeURIComponent(poolId)}/revocations`, { revocations: values }, { timeoutMs: 5_000 });
    } catch (error) {
      // Unreachable or failing: keep the batch and retry. Refused (4xx: this region no longer holds
      // a replica there, say): retrying would never succeed, so the batch leaves the queue.
      if (!(error instanceof PeerRequestFailed) || error.unreachable || error.status >= 500) throw error;
      refused = error;
    }
    // Only what was shipped leaves the queue: another worker may have added entries meanwhile.
    const shipped = new Set(batch);
    const left = await vault.updateLocal<string[], number>(poolId, QUEUE_KIND, QUEUE_ID, (current) => {
      const remaining = (current ?? []).filter((entry) => !shipped.has(entry));
      return { value: remaining, result: remaining.length };
    });
    if (refused) this.options.onError?.(poolId, refused);
    return left;
  }
}
