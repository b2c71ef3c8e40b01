import { dirname, join, resolve } from 'node:path';
import { regionSettingsSchema } from '../config/settings.ts';
import { peersOf, readRegionCatalog, recordRegionPid, type RegionCatalog } from '../regions/region-catalog.ts';
import { startRegion } from '../regions/region-server.ts';
import { resolveAdminCredentials } from './admin-credentials.ts';

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
  const placement = options.catalog !== undefined ? placeFromCatalog({ ...options, catalog: options.catalog }) : null;
  const dataDir = placement?.dataDir ?? resolve(options.data ?? './data');
  // With a catalog the admin credentials are the deployment's (`up` generated them beside the catalog).
  const credentials = resolveAdminCredentials(placement?.credentialsDir ?? dataDir);
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
  const region = await startRegion(settings);
  if (credentials.generated) {
    console.log(`admin credentials (generated, saved in ${dataDir}/admin-credentials.json):`);
    console.log(`  AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`);
    console.log(`  AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`);
  }
  if (placement) {
    // Keeps regions.json true after a manual restart (the file names each region's server process).
    try {
      recordRegionPid(placement.file, settings.region, process.pid);
    } catch (error) {
      console.error(`meridian serve: could not record pid in ${placement.file}: ${(error as Error).message}`);
    }
  }
  console.log(`meridian region ${settings.region} listening on ${region.url} (store: ${region.store.backend})`);

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
