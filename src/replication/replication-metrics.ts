import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReplicaView } from './replica-control-routes.ts';

const STATUSES: ReadonlyArray<ReplicaView['Status']> = ['CREATING', 'INACTIVE', 'ACTIVE', 'DELETING'];

/**
 * Gauges of this region's replica pools, read when scraped: copy progress (records copied, total),
 * applied and primary sequences, lag, and the status (1 for the current one). The same numbers as
 * ListUserPoolReplicas' Progress and `meridian replicas status`.
 */
export function registerReplicationMetrics(registry: Registry, source: { replicaPoolIds(): string[]; describeReplica(poolId: string): Promise<ReplicaView> }): void {
  // prom-client reads the gauges of a scrape concurrently, each after awaiting its collect: they
  // all await the same refresh, which describes each pool once.
  let refreshing: Promise<void> | null = null;
  const collect = () => (refreshing ??= refresh().finally(() => (refreshing = null)));
  const gauge = (name: string, help: string, labelNames: string[] = ['pool']) => new Gauge({ name, help, labelNames, registers: [registry], collect });
  const copied = gauge('meridian_replica_copied_records', 'Records copied by the initial snapshot of a replica pool');
  const total = gauge('meridian_replica_total_records', 'Records the primary reported when the initial copy started');
  const applied = gauge('meridian_replica_applied_sequence', "The primary's change-log sequence applied last");
  const primary = gauge('meridian_replica_primary_sequence', "The primary's last sequence seen by the puller");
  const lag = gauge('meridian_replica_lag_seconds', 'Age of the newest change not yet applied (0 when caught up)');
  const status = gauge('meridian_replica_status', 'Status of a replica pool in this region (1 for the current status)', ['pool', 'status']);

  async function refresh(): Promise<void> {
    for (const metric of [copied, total, applied, primary, lag, status]) metric.reset();
    for (const poolId of source.replicaPoolIds()) {
      let view: ReplicaView;
      try {
        view = await source.describeReplica(poolId);
      } catch {
        continue; // deleted while scraping
      }
      for (const candidate of STATUSES) status.set({ pool: poolId, status: candidate }, candidate === view.Status ? 1 : 0);
      const progress = view.Progress;
      if (!progress) continue;
      copied.set({ pool: poolId }, progress.CopiedRecords);
      total.set({ pool: poolId }, progress.TotalRecords);
      applied.set({ pool: poolId }, progress.AppliedSequence);
      if (progress.PrimarySequence !== null) primary.set({ pool: poolId }, progress.PrimarySequence);
      if (progress.LagSeconds !== null) lag.set({ pool: poolId }, progress.LagSeconds);
    }
  }
}

/**
 * Counts, by pool, the pullers of this process stopped because their replica pool was deleted in
 * this region (with `serve --workers`, the leader worker's): whether the puller noticed it itself
 * (another worker deleted the pool), the adoption pass did, or the deletion ran here. Returns the
 * function that counts one.
 */
export function registerReplicaDeletions(registry: Registry): (poolId: string) => void {
  const stopped = new Counter({ name: 'meridian_replica_pullers_stopped_total', help: 'Pullers stopped because their replica pool was deleted in this region', labelNames: ['pool'], registers: [registry] });
  return (poolId) => stopped.inc({ pool: poolId });
}
