import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { mergeRevokedSession, mergeSignOut, REVOKED_SESSION_KIND, SIGN_OUT_KIND, sweepRevokedSessions, type RevokedSessionRecord, type SignOutRecord } from '../auth/sessions/revocation.ts';
import type { RegionSettings } from '../config/settings.ts';
import { peerByAccessKeyId } from '../kms/replication/region-peers.ts';
import { registerChangeFeedRoutes } from '../replication/change-feed-routes.ts';
import { PeerRegions } from '../replication/peer-client.ts';
import { registerReplicaControlRoutes } from '../replication/replica-control-routes.ts';
import { ReplicaPullers } from '../replication/replica-pullers.ts';
import { registerReplicaDeletions, registerReplicationMetrics } from '../replication/replication-metrics.ts';
import { LocalStateShipper } from '../replication/local-state-shipper.ts';
import type { ShippedKind } from '../replication/shipped-kinds.ts';
import { AUTHORIZATION_CODE_RECORD_KIND, mergeUsedCode, sweepExpiredCodes, type UsedCodeRecord } from '../oauth/authorize/used-codes.ts';
import type { Store } from '../store/store.ts';
import { ReplicaLifecycle } from '../userpools/replicas/replica-lifecycle.ts';
import type { UserPoolServices } from '../userpools/services.ts';
import type { CredentialLookup } from '../wire/sigv4-verifier.ts';

/** What a secondary writes for itself and ships to the primary, and how the primary merges it. */
export const SHIPPED_KINDS: readonly ShippedKind[] = [
  { kind: SIGN_OUT_KIND, merge: (records, id, value) => mergeSignOut(records, id, value as SignOutRecord) },
  {
    kind: REVOKED_SESSION_KIND,
    merge: (records, id, value, now) => mergeRevokedSession(records, id, value as RevokedSessionRecord, now),
    sweep: sweepRevokedSessions,
  },
  {
    kind: AUTHORIZATION_CODE_RECORD_KIND,
    merge: (records, id, value, now) => mergeUsedCode(records, id, value as UsedCodeRecord, now),
    sweep: sweepExpiredCodes,
  },
];

/** How often the leader worker looks for replica pools started by another worker. */
const ADOPT_INTERVAL_MS = 2_000;

export interface RegionReplication {
  lifecycle: ReplicaLifecycle;
  /** Restarts the pullers of the replica pools in the store and ships queued revocations and code uses. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Pool replication for a region that has peers (from the region catalog): the change feed and
 * the replica control endpoints other regions call, the pullers of this region's replicas, and
 * the shipper of revocations and code uses made here back to primaries. Without peers there is nothing to
 * replicate with, and none of it is started.
 */
export function startReplication(app: FastifyInstance, settings: RegionSettings, services: UserPoolServices, store: Store, metrics: Registry, leader: boolean): RegionReplication | null {
  if (Object.keys(settings.regionPeers).length === 0) return null;
  const peers = new PeerRegions(settings.regionPeers);
  const log = app.log.child({ component: 'replication' });
  const countDeletion = registerReplicaDeletions(metrics);
  const pullers = new ReplicaPullers({
    store,
    peers,
    pageSize: settings.replicationPageSize,
    follow: leader,
    onError: (poolId, error) => log.warn({ poolId, error: error.message }, 'replica pull failed; retrying'),
    onDeleted: (poolId) => {
      countDeletion(poolId);
      log.info({ poolId }, 'replica pool deleted in this region; its puller stopped');
    },
  });
  const shipper = new LocalStateShipper({
    vault: services.vault,
    peers,
    kinds: SHIPPED_KINDS.map((shipped) => shipped.kind),
    onError: (poolId, error) => log.warn({ poolId, error: error.message }, 'revocations or code uses not shipped to the primary yet; retrying'),
  });
  const lifecycle = new ReplicaLifecycle(services, { store, peers, pullers, shippedKinds: SHIPPED_KINDS });
  services.replicas = lifecycle;
  services.vault.onReplicaLocalWrite = (poolId, kind, id) => shipper.enqueue(poolId, kind, id);

  // Each peer signs with the credential its pair shares (regions/region-catalog.ts peerCredential).
  const credentials: CredentialLookup = (accessKeyId) => {
    const match = peerByAccessKeyId(settings.regionPeers, accessKeyId);
    return match ? { accessKeyId, secretAccessKey: match.peer.secretAccessKey, principalArn: `arn:meridian:region:${match.region}` } : null;
  };
  registerChangeFeedRoutes(app, { store, credentials, region: settings.region, metrics });
  registerReplicaControlRoutes(app, { control: lifecycle, credentials, region: settings.region, regionOf: (accessKeyId) => peerByAccessKeyId(settings.regionPeers, accessKeyId)?.region ?? null });

  registerReplicationMetrics(metrics, { replicaPoolIds: () => pullers.poolIds(), describeReplica: (poolId) => lifecycle.describeReplica(poolId) });

  // The leader also adopts replica pools another worker created, and retries their shipments.
  let adopting: NodeJS.Timeout | null = null;
  return {
    lifecycle,
    async resume() {
      if (!leader) return;
      await lifecycle.resume();
      shipper.start(() => pullers.poolIds());
      adopting = setInterval(() => void lifecycle.resume().catch((error: Error) => log.warn({ error: error.message }, 'replica pools not resumed')), ADOPT_INTERVAL_MS);
      adopting.unref();
    },
    async close() {
      if (adopting) clearInterval(adopting);
      shipper.stop();
      await pullers.close();
    },
  };
}
