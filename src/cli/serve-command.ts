import cluster from 'node:cluster';
import { dirname, join, resolve } from 'node:path';
import { regionSettingsSchema, type RegionSettings } from '../config/settings.ts';
import { loadRootKey } from '../crypto/root-key.ts';
import { peersOf, readRegionCatalog, recordRegionPid, type RegionCatalog } from '../regions/region-catalog.ts';
import type { RunningRegion } from '../regions/region-server.ts';
import { sendToPrimary, workerUsagePeers } from '../regions/worker-messages.ts';
import { createKmsStore } from '../store/kms/create-kms-store.ts';
import { createStore } from '../store/create-store.ts';
import { resolveAdminCredentials } from './admin-credentials.ts';
import { startWorkerPool } from './serve-workers.ts';

export interface ServeOptions {
  region: string;
  /** Absent: 9000, or the port of this region's endpoint in the catalog. */
  port?: string;
  host: string;
  /** Absent: ./data, or `<catalog dir>/<region>`. */
  data?: string;
  /** Path of the region catalog (regions.json) written by `meridian up`. */
  catalog?: string;
  database?: string;
  publicUrl?: string;
  authDomain?: string;
  accountId?: string;
  logLevel?: string;
  /** Worker processes sharing the port (node:cluster); default 1: the region runs in this process. */
  workers?: string;
}

/** More workers than this is a typo, not a machine. */
const MAXIMUM_WORKERS = 64;

function workerCount(text: string | undefined): number {
  const count = Number(text ?? '1');
  if (!Number.isInteger(count) || count < 1 || count > MAXIMUM_WORKERS) {
    console.error(`meridian serve: --workers: must be a whole number from 1 to ${MAXIMUM_WORKERS}`);
    process.exit(2);
  }
  return count;
}

function parsePeers(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    console.error('meridian serve: MERIDIAN_REGION_PEERS is not valid JSON');
    process.exit(2);
  }
}

/** What a region takes from the catalog: port, data directory, admin credentials' home, peers, issuer. */
interface CatalogPlacement {
  file: string;
  catalog: RegionCatalog;
  port: string;
  dataDir: string;
  credentialsDir: string;
}

function placeFromCatalog(options: ServeOptions & { catalog: string }): CatalogPlacement {
  const fail = (message: string): never => {
    console.error(`meridian serve: --catalog: ${message}`);
    process.exit(2);
  };
  if (options.port !== undefined || options.data !== undefined) fail('the catalog sets the port and data directory; drop --port and --data');
  const file = resolve(options.catalog);
  let catalog: RegionCatalog;
  try {
    catalog = readRegionCatalog(file);
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const entry = catalog.regions.find((region) => region.name === options.region);
  if (!entry) return fail(`region ${options.region} is not in ${file}`);
  const endpoint = new URL(entry.endpoint);
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80');
  const catalogDir = dirname(file);
  return { file, catalog, port, dataDir: join(catalogDir, options.region), credentialsDir: catalogDir };
}

/** `meridian serve`: one region in this process until SIGTERM/SIGINT. */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const workers = workerCount(options.workers);
  const placement = options.catalog !== undefined ? placeFromCatalog({ ...options, catalog: options.catalog }) : null;
  const dataDir = placement?.dataDir ?? resolve(options.data ?? './data');
  // With a catalog the admin credentials are the deployment's (`up` generated them beside the catalog).
  const credentialsDir = placement?.credentialsDir ?? dataDir;
  const credentials = resolveAdminCredentials(credentialsDir);
  const parsed = regionSettingsSchema.safeParse({
    region: options.region,
    port: Number(placement?.port ?? options.port ?? '9000'),
    host: options.host,
    dataDir,
    databaseUrl: options.database ?? process.env.MERIDIAN_DATABASE_URL,
    publicUrl: options.publicUrl,
    authDomain: options.authDomain ?? process.env.MERIDIAN_AUTH_DOMAIN,
    // Without a catalog, peers for KMS key replication come as JSON
    // ({"<region>": {"endpoint", "accessKeyId", "secretAccessKey"}}); see docs/KEYS.md.
    // With a catalog, the peers (and the credential each pair shares) come from it, not the env.
    ...(placement
      ? { regionPeers: peersOf(placement.catalog, options.region), globalIssuerUrl: placement.catalog.globalIssuerUrl }
      : process.env.MERIDIAN_REGION_PEERS
        ? { regionPeers: parsePeers(process.env.MERIDIAN_REGION_PEERS) }
        : {}),
    ...(process.env.MERIDIAN_EXTERNAL_KMS_ENDPOINT
      ? {
          externalKms: {
            endpoint: process.env.MERIDIAN_EXTERNAL_KMS_ENDPOINT,
            accessKeyId: process.env.MERIDIAN_EXTERNAL_KMS_ACCESS_KEY_ID,
            secretAccessKey: process.env.MERIDIAN_EXTERNAL_KMS_SECRET_ACCESS_KEY,
          },
        }
      : {}),
    ...(process.env.MERIDIAN_REPLICATION_PAGE_SIZE ? { replicationPageSize: Number(process.env.MERIDIAN_REPLICATION_PAGE_SIZE) } : {}),
    accountId: options.accountId ?? process.env.MERIDIAN_ACCOUNT_ID,
    adminAccessKeyId: credentials.accessKeyId,
    adminSecretAccessKey: credentials.secretAccessKey,
    logLevel: (options.logLevel ?? process.env.MERIDIAN_LOG_LEVEL ?? 'info') as 'info',
  });
  if (!parsed.success) {
    // One line per problem, naming the setting; a stack trace helps no operator here.
    for (const issue of parsed.error.issues) console.error(`meridian serve: ${issue.path.join('.') || 'settings'}: ${issue.message}`);
    process.exit(2);
  }
  const settings = parsed.data;
  if (workers > 1 && cluster.isWorker) return serveAsWorker(settings);
  if (workers > 1) return serveWithWorkers(settings, workers, announce);
  const region = await startRegion(settings);
  announce(region);

  function announce(region: { url: string; store: { backend: string } }): void {
    if (credentials.generated) {
      console.log(`admin credentials (generated, saved in ${credentialsDir}/admin-credentials.json):`);
      console.log(`  AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`);
      console.log(`  AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`);
    }
    if (placement) {
      // Keeps regions.json true after a manual restart (the file names each region's server
      // process: with workers, this primary, the one to signal).
      try {
        recordRegionPid(placement.file, settings.region, process.pid);
      } catch (error) {
        console.error(`meridian serve: could not record pid in ${placement.file}: ${(error as Error).message}`);
      }
    }
    console.log(`meridian region ${settings.region} listening on ${region.url} (store: ${region.store.backend})`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`meridian region ${settings.region} stopping on ${signal}`);
    try {
      await region.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * The primary of `serve --workers <n>`: prepares what workers would race for (the root key file,
 * migrations of the pool and KMS stores), forks the workers, prints the listening line once all
 * of them listen, and on SIGTERM/SIGINT stops them and exits 0. A worker that dies while the
 * region runs stops the region (exit 1): a supervisor restarts the whole region, as for one
 * process, rather than this process hiding a crash loop.
 */
async function serveWithWorkers(settings: RegionSettings, count: number, announce: (region: { url: string; store: { backend: string } }) => void): Promise<void> {
  loadRootKey(settings.dataDir);
  const storeOptions = { dataDir: settings.dataDir, region: settings.region, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) };
  await (await createStore(storeOptions)).close();
  await (await createKmsStore(storeOptions)).close();

  let stopping = false;
  const stop = async (message: string, code: number) => {
    if (stopping) return;
    stopping = true;
    if (code === 0) console.log(message);
    else console.error(message);
    try {
      await workers.stop();
    } finally {
      process.exit(code);
    }
  };
  const workers = startWorkerPool(count, {
    listening: (first) => announce({ url: first.url, store: { backend: first.backend } }),
    failed: (description) => void stop(`meridian serve: ${description}; stopping region ${settings.region}`, 1),
  });
  process.on('SIGTERM', () => void stop(`meridian region ${settings.region} stopping on SIGTERM`, 0));
  process.on('SIGINT', () => void stop(`meridian region ${settings.region} stopping on SIGINT`, 0));
}

/** One worker of `serve --workers`: the whole region, reporting to the primary instead of printing. */
async function serveAsWorker(settings: RegionSettings): Promise<void> {
  // Replica pullers and the revocation retry loop run once per region, in the first worker; the
  // others answer requests (region-replication.ts).
  const region = await startRegion(settings, { usagePeers: workerUsagePeers(), replicationLeader: cluster.worker?.id === 1 });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await region.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The primary is gone (killed): nothing reaches this worker any more, and nobody would stop it.
  process.on('disconnect', () => void stop());
  sendToPrimary(process, { meridian: 'listening', url: region.url, backend: region.store.backend });
}

/**
 * The region's code, loaded only where a region runs: a `--workers` primary serves nothing, and
 * without the whole service in memory it holds a fraction of a worker's RSS.
 */
async function startRegion(...args: Parameters<typeof import('../regions/region-server.ts').startRegion>): Promise<RunningRegion> {
  const { startRegion: start } = await import('../regions/region-server.ts');
  return start(...args);
}
