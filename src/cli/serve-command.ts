import { resolve } from 'node:path';
import { regionSettingsSchema } from '../config/settings.ts';
import { startRegion } from '../regions/region-server.ts';
import { resolveAdminCredentials } from './admin-credentials.ts';

export interface ServeOptions {
  region: string;
  port: string;
  host: string;
  data: string;
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

/** `meridian serve`: one region in this process until SIGTERM/SIGINT. */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const dataDir = resolve(options.data);
  const credentials = resolveAdminCredentials(dataDir);
  const parsed = regionSettingsSchema.safeParse({
    region: options.region,
    port: Number(options.port),
    host: options.host,
    dataDir,
    databaseUrl: options.database ?? process.env.MERIDIAN_DATABASE_URL,
    publicUrl: options.publicUrl,
    authDomain: options.authDomain ?? process.env.MERIDIAN_AUTH_DOMAIN,
    // Until the region catalog exists, peers for KMS key replication come as JSON
    // ({"<region>": {"endpoint", "accessKeyId", "secretAccessKey"}}); see docs/KEYS.md.
    ...(process.env.MERIDIAN_REGION_PEERS ? { regionPeers: parsePeers(process.env.MERIDIAN_REGION_PEERS) } : {}),
    ...(process.env.MERIDIAN_EXTERNAL_KMS_ENDPOINT
      ? {
          externalKms: {
            endpoint: process.env.MERIDIAN_EXTERNAL_KMS_ENDPOINT,
            accessKeyId: process.env.MERIDIAN_EXTERNAL_KMS_ACCESS_KEY_ID,
            secretAccessKey: process.env.MERIDIAN_EXTERNAL_KMS_SECRET_ACCESS_KEY,
          },
        }
      : {}),
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
