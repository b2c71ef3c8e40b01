import { REVOKED_SESSION_KIND, SIGN_OUT_KIND } from '../auth/sessions/revocation.ts';
import type { PoolVault } from '../crypto/pool-vault.ts';
import type { PeerRegions } from './peer-client.ts';
import type { ShippedRevocation } from './replica-control-routes.ts';
import { primaryRegionOf } from './replica-pullers.ts';

const SHIPPED_KINDS = new Set([SIGN_OUT_KIND, REVOKED_SESSION_KIND]);
const QUEUE_KIND = 'revocation-queue';
const QUEUE_ID = 'pending';
const BATCH = 200;

/**
 * Carries revocations made in a secondary region (GlobalSignOut, RevokeToken, ... there) to the
 * primary, which merges them into the pool's records (max watermark, union of revoked sessions),
 * so they replicate to every region. They take effect in the secondary at once (its region-local
 * copy is consulted with the records); shipping only spreads them. What is not shipped yet is
 * queued in region-local state and retried until the primary takes it, so a sign-out made while
 * the primary is down reaches it once it is back. Payloads travel sealed as stored.
 */
export class RevocationShipper {
  private readonly pending = new Map<string, Set<string>>();
  /** One queue update or shipment at a time per pool, so no entry is lost between them. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: { vault: PoolVault; peers: PeerRegions; retryMs?: number; onError?: (poolId: string, error: Error) => void }) {}

  /** Called for every region-local write of a replica pool; queues and ships revocations. */
  enqueue(poolId: string, kind: string, id: string): void {
    if (!SHIPPED_KINDS.has(kind)) return;
    void this.serialized(poolId, async () => {
      const queue = await this.queueOf(poolId);
      queue.add(`${kind}\u0000${id}`);
      await this.options.vault.writeLocal(poolId, QUEUE_KIND, QUEUE_ID, [...queue]);
      await this.shipNow(poolId);
    }).catch((error: Error) => this.options.onError?.(poolId, error));
  }

  /** Loads the persisted queues of these pools (after a restart) and ships them. */
  async resume(poolIds: string[]): Promise<void> {
    for (const poolId of poolIds) {
      await this.serialized(poolId, () => this.queueOf(poolId)).catch((error: Error) => this.options.onError?.(poolId, error));
    }
    this.flushAll();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flushAll(), this.options.retryMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Waits until every queued revocation of the pool has been shipped once (tests, shutdown). */
  async flush(poolId: string): Promise<number> {
    return this.serialized(poolId, () => this.shipNow(poolId));
  }

  /** Ships what is queued; returns how many remain queued. */
  private async shipNow(poolId: string): Promise<number> {
    const queue = await this.queueOf(poolId);
    if (queue.size === 0) return 0;
    const batch = [...queue].slice(0, BATCH);
    const revocations: ShippedRevocation[] = [];
    for (const entry of batch) {
      const [kind, id] = entry.split('\u0000') as [string, string];
      const sealed = await this.options.vault.sealedLocal(poolId, kind, id);
      if (sealed) revocations.push({ kind, id, payload: sealed.toString('base64') });
    }
    await this.options.peers.request(primaryRegionOf(poolId), 'POST', `/replication/pools/${encodeURIComponent(poolId)}/revocations`, { revocations }, { timeoutMs: 5_000 });
    for (const entry of batch) queue.delete(entry);
    await this.options.vault.writeLocal(poolId, QUEUE_KIND, QUEUE_ID, [...queue]);
    return queue.size;
  }

  private flushAll(): void {
    for (const [poolId, queue] of this.pending) {
      if (queue.size === 0) continue;
      void this.serialized(poolId, () => this.shipNow(poolId)).catch((error: Error) => this.options.onError?.(poolId, error));
    }
  }

  private async queueOf(poolId: string): Promise<Set<string>> {
    let queue = this.pending.get(poolId);
    if (!queue) {
      queue = new Set((await this.options.vault.readLocal<string[]>(poolId, QUEUE_KIND, QUEUE_ID)) ?? []);
      this.pending.set(poolId, queue);
    }
    return queue;
  }

  /** Forgets a pool (its replica was deleted here). */
  forget(poolId: string): void {
    this.pending.delete(poolId);
  }

  private serialized<T>(poolId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(poolId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.chains.set(poolId, next);
    void next.finally(() => {
      if (this.chains.get(poolId) === next) this.chains.delete(poolId);
    }).catch(() => undefined);
    return next;
  }
}
