import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { DataKeyCache } from '../crypto/data-key-cache.ts';
import { RecordReadCache } from '../crypto/record-read-cache.ts';
import { PoolVault } from '../crypto/pool-vault.ts';
import { LockoutStore } from '../auth/lockout/lockout-store.ts';
import { SigningKeyCache } from '../auth/tokens/signing-key-cache.ts';
import { loadRootKey } from '../crypto/root-key.ts';
import { ServiceKeyProvider, SERVICE_KEY_REFERENCE } from '../crypto/service-key-provider.ts';
import type { KeyProvider } from '../crypto/key-provider.ts';
import { ExternalKmsKeyProvider } from '../kms/external-kms-key-provider.ts';
import type { RegionSettings } from '../config/settings.ts';
import { registerAuthorizeEndpoint } from '../oauth/authorize/authorize-route.ts';
import { registerDiscoveryRoutes } from '../oauth/discovery-routes.ts';
import { registerLogoutEndpoint } from '../oauth/logout/logout-route.ts';
import { registerHostedPages } from '../oauth/pages/hosted-pages-routes.ts';
import { poolOAuthBaseUrl } from '../oauth/pool-resolution.ts';
import { registerRevocationEndpoint } from '../oauth/revocation/revocation-route.ts';
import { registerUserInfoEndpoint } from '../oauth/userinfo/userinfo-route.ts';
import { registerTokenEndpoint } from '../oauth/token-endpoint/token-route.ts';
import { UsageCounter, type UsagePeers } from '../metering/usage-counter.ts';
import { registerUsageRoutes } from '../metering/usage-routes.ts';
import { issuerOf } from '../userpools/auth/issuers.ts';
import { registerHealthRoutes } from '../ops/health.ts';
import { createMetricsRegistry, registerMetricsRoute } from '../ops/metrics.ts';
import { registerRequestLog, serializeError } from '../ops/request-log.ts';
import { answerClientError, answerFrameworkError, registerFallbackReplies } from '../ops/fallback-replies.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';
import { configuredSender } from '../userpools/messages/configured-sender.ts';
import { registerOutboxRoutes } from '../userpools/messages/outbox-routes.ts';
import { PoolOutbox } from '../userpools/messages/pool-outbox.ts';
import { cognitoService } from '../userpools/cognito-service.ts';
import type { UserPoolServices } from '../userpools/services.ts';
import { startKms, type KmsRegion } from '../kms/kms-region.ts';
import { registerAwsJsonProtocol } from '../wire/aws-json-dispatcher.ts';
import type { SigningCredential } from '../wire/sigv4-verifier.ts';
import { newRequestId } from '../wire/aws-json-dispatcher.ts';
import { startReplication } from './region-replication.ts';

export interface RunningRegion {
  app: FastifyInstance;
  outbox: PoolOutbox;
  store: Store;
  url: string;
  close(): Promise<void>;
}

/**
 * Composition root of one region: store, keys, domain services and every protocol on one port.
 * The only place that knows how the pieces fit; everything below it receives what it needs.
 */
export interface RegionHooks {
  /** The clock of every domain decision (expiries, lockout); tests drive it instead of waiting. */
  now?: () => number;
  /** The region's other worker processes (`serve --workers`), for usage reads that must see their counts. */
  usagePeers?: UsagePeers;
  /**
   * False in all but one worker of `serve --workers`: replica pullers and the revocation retry
   * loop must run once per region, not once per process. Default true.
   */
  replicationLeader?: boolean;
}

export async function startRegion(settings: RegionSettings, hooks: RegionHooks = {}): Promise<RunningRegion> {
  const store = await createStore({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, region: settings.region });
  const serviceKey = new ServiceKeyProvider(loadRootKey(settings.dataDir));
  const keyCache = new DataKeyCache(
    // Resolved lazily: the built-in KMS starts after the app exists.
    (reference) => (reference === SERVICE_KEY_REFERENCE ? serviceKey : customerKey(reference)),
    { ttlMs: settings.dataKeyCacheSeconds * 1000, now: hooks.now },
  );
  const externalProviders = new Map<string, KeyProvider>();
  let kmsRegion: KmsRegion | undefined;
  const customerKey = (keyArn: string): KeyProvider => {
    const external = settings.externalKms;
    if (!external) {
      if (!kmsRegion) throw new Error('the built-in KMS has not started');
      return kmsRegion.keyProvider(keyArn);
    }
    let provider = externalProviders.get(keyArn);
    if (!provider) {
      const credentials = external.accessKeyId && external.secretAccessKey ? { accessKeyId: external.accessKeyId, secretAccessKey: external.secretAccessKey } : undefined;
      provider = ExternalKmsKeyProvider.connect(keyArn, { endpoint: external.endpoint, credentials });
      externalProviders.set(keyArn, provider);
    }
    return provider;
  };

  const app = Fastify({
    logger: { level: settings.logLevel, serializers: { err: serializeError } },
    genReqId: newRequestId,
    bodyLimit: 1024 * 1024,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // One line per request, written by registerRequestLog without headers or bodies (they carry
    // signatures, passwords and tokens), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerRequestLog(app);
  registerFallbackReplies(app);
  const admin: SigningCredential = {
    accessKeyId: settings.adminAccessKeyId,
    secretAccessKey: settings.adminSecretAccessKey,
    principalArn: `arn:aws:iam::${settings.accountId}:root`,
  };

  const vault = new PoolVault(store, keyCache, new RecordReadCache({ maxAgeMs: settings.dataKeyCacheSeconds * 1000, now: hooks.now }));
  const outbox = new PoolOutbox(vault);
  const services: UserPoolServices = {
    region: settings.region,
    accountId: settings.accountId,
    publicUrl: settings.publicUrl ?? '',
    globalIssuerUrl: settings.globalIssuerUrl,
    vault,
    signingKeys: new SigningKeyCache(vault, Math.min(60, settings.dataKeyCacheSeconds) * 1000),
    lockouts: new LockoutStore(vault),
    usage: new UsageCounter(vault, settings.region, { now: hooks.now, peers: hooks.usagePeers }),
    authDomain: settings.authDomain,
    serviceKey,
    customerKey,
    messages: configuredSender(settings, outbox),
    now: hooks.now ?? Date.now,
  };
  const kms = await startKms(app, settings, { now: services.now });
  kmsRegion = kms;
  registerAwsJsonProtocol(app, [cognitoService(services), kms.service], (accessKeyId) => (accessKeyId === admin.accessKeyId ? admin : null), { region: settings.region });
  registerOutboxRoutes(app, { outbox, services, credentials: (accessKeyId) => (accessKeyId === admin.accessKeyId ? admin : null), region: settings.region });
  registerHealthRoutes(app, { region: settings.region, store });
  registerDiscoveryRoutes(app, { signingKeys: services.signingKeys, issuerOf: (poolId) => issuerOf(services, poolId), oauthBaseUrl: (poolId) => poolOAuthBaseUrl(services, poolId) });
  registerTokenEndpoint(app, services);
  registerAuthorizeEndpoint(app, services);
  registerHostedPages(app, services);
  registerUserInfoEndpoint(app, services);
  registerRevocationEndpoint(app, services);
  registerLogoutEndpoint(app, services);
  registerUsageRoutes(app, services, (accessKeyId) => (accessKeyId === admin.accessKeyId ? admin : null));
  const metrics = createMetricsRegistry(settings.region);
  registerMetricsRoute(app, metrics);
  const replication = startReplication(app, settings, services, store, metrics, hooks.replicationLeader ?? true);

  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  await replication?.resume();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const url = `http://${settings.host}:${port}`;
  // Issuers need the public URL, which for port 0 is only known once listening.
  services.publicUrl = (settings.publicUrl ?? url).replace(/\/$/, '');

  return {
    app,
    outbox,
    store,
    url,
    async close() {
      await replication?.close();
      await app.close();
      await store.close();
    },
  };
}
