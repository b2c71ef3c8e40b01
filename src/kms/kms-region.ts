import type { FastifyInstance } from 'fastify';
import type { RegionSettings } from '../config/settings.ts';
import { loadRootKey } from '../crypto/root-key.ts';
import { createKmsStore } from '../store/kms/create-kms-store.ts';
import type { KmsStore } from '../store/kms/kms-store.ts';
import type { AwsJsonService } from '../wire/aws-json-dispatcher.ts';
import type { KmsServices } from './actions/wire.ts';
import { KeyService } from './key-service.ts';
import { KmsKeyProvider } from './kms-key-provider.ts';
import { kmsService } from './kms-service.ts';
import { httpReplicationTargets } from './replication/http-replication-target.ts';
import { registerReplicaRoute } from './replication/replica-route.ts';

/** A Region's built-in KMS, as the composition root (src/regions/region-server.ts) wires it. */
export interface KmsRegion {
  keys: KeyService;
  store: KmsStore;
  /** For `registerAwsJsonProtocol(app, [..., kms.service])`. */
  service: AwsJsonService<KmsServices>;
  /**
   * The KeyProvider for a pool whose `keyReference` is a KMS key ARN: calls this Region's KMS
   * in-process as `cognito-idp.amazonaws.com`. A multi-Region key named by another Region's ARN
   * (a replicated pool) is used through this Region's replica.
   */
  keyProvider(keyReference: string): KmsKeyProvider;
}

const registry = new WeakMap<FastifyInstance, KmsRegion>();

/**
 * Opens the KMS store (same database as the pool store), builds the key service, registers the
 * replica route for configured peers, starts the scheduler, and closes all of it with `app`.
 */
export async function startKms(app: FastifyInstance, settings: RegionSettings, options: { now?: () => number } = {}): Promise<KmsRegion> {
  const store = await createKmsStore({ dataDir: settings.dataDir, region: settings.region, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  const keys = new KeyService({
    region: settings.region,
    accountId: settings.accountId,
    store,
    rootKey: loadRootKey(settings.dataDir),
    ...(options.now ? { now: options.now } : {}),
    replicationTargets: httpReplicationTargets(settings.region, settings.regionPeers),
    reportFault: (error, what) => app.log.error({ err: error }, `KMS: ${what}`),
  });
  if (Object.keys(settings.regionPeers).length > 0) {
    registerReplicaRoute(app, { region: settings.region, accountId: settings.accountId, peers: settings.regionPeers, keys });
  }

  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    keys
      .sweep()
      .catch((error: unknown) => app.log.error({ err: error }, 'KMS scheduler pass failed'))
      .finally(() => {
        sweeping = false;
      });
  }, settings.kmsSweepSeconds * 1000);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await keys.flushAudit();
    await store.close();
  });

  const providers = new Map<string, KmsKeyProvider>();
  const region: KmsRegion = {
    keys,
    store,
    service: kmsService({ keys }),
    keyProvider(keyReference) {
      let provider = providers.get(keyReference);
      if (!provider) {
        provider = KmsKeyProvider.forPools(keys, keyReference, settings.region);
        providers.set(keyReference, provider);
      }
      return provider;
    },
  };
  registry.set(app, region);
  return region;
}

/** The KMS started on `app` (tests and wiring reach it from the running Region's app). */
export function kmsOf(app: FastifyInstance): KmsRegion {
  const region = registry.get(app);
  if (!region) throw new Error('no KMS was started on this app');
  return region;
}
