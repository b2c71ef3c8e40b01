import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { readRegionCatalog, type RegionCatalog } from '../regions/region-catalog.ts';
import { adminCredentialsFile, readAdminCredentials, type AccessKey } from './admin-credentials.ts';
import { AwsJsonCallFailed, callAwsJson } from './aws-json-call.ts';
import { mapInOrder, settleInOrder } from './in-order.ts';
import { primaryRegionOf } from '../replication/replica-pullers.ts';

/** Requests in flight at once for a list of pools: enough to hide round trips, not to flood a region. */
const POOLS_AT_ONCE = 8;

interface ReplicasOptions {
  catalog: string;
  json?: boolean;
  timeout?: string;
}

interface ReplicaLine {
  RegionName: string;
  Role: string;
  Status: string;
  Reachable?: boolean;
  Progress?: { CopiedRecords: number; TotalRecords: number; PercentCopied: number; AppliedSequence: number; PrimarySequence: number | null; LagSeconds: number | null; LastError: string | null };
}

/**
 * `meridian replicas status|verify|checklist`: an operator's view of replicated pools across the
 * regions of a catalog (`./data/regions.json`, as `meridian up` writes it), through the Cognito
 * API of each region (ListUserPoolReplicas, and the extension actions GetUserPoolDigest and
 * GetFailoverChecklist) signed with the admin credentials (MERIDIAN_ADMIN_ACCESS_KEY_ID /
 * _SECRET_ACCESS_KEY, else the admin-credentials.json beside the catalog).
 */
export function replicasCommand(): Command {
  const command = new Command('replicas').description('replicated user pools: copy progress and lag, digest verification, failover checklist');
  const catalogOption = ['--catalog <file>', 'the region catalog', './data/regions.json'] as const;

  command
    .command('status')
    .description('each replica of a pool (or of every replicated pool): role, status, records copied, applied sequence, lag')
    .argument('[pool]', 'user pool id; absent: every pool that has replicas')
    .option(...catalogOption)
    .option('--json', 'print JSON')
    .action((pool: string | undefined, options: ReplicasOptions) => run(() => status(pool, options)));

  command
    .command('verify')
    .description("compare the digest of the pool's records in every region (exit 1 when they differ)")
    .argument('<pool>', 'user pool id')
    .option(...catalogOption)
    .option('--timeout <seconds>', 'how long to wait for the replicas to catch up with the primary', '30')
    .option('--json', 'print JSON')
    .action((pool: string, options: ReplicasOptions) => run(() => verify(pool, options)));

  command
    .command('checklist')
    .description('per-region settings of the pool in each region: configured, and whether they differ from the primary (fingerprints only)')
    .argument('<pool>', 'user pool id')
    .option(...catalogOption)
    .option('--json', 'print JSON')
    .action((pool: string, options: ReplicasOptions) => run(() => checklist(pool, options)));
  return command;
}

async function run(work: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (error) {
    console.error(`meridian replicas: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}

class Deployment {
  readonly catalog: RegionCatalog;
  private readonly credentials: AccessKey;

  constructor(file: string, environment: NodeJS.ProcessEnv = process.env) {
    const path = resolve(file);
    this.catalog = readRegionCatalog(path);
    // `meridian up` saves the deployment's admin credentials beside the catalog.
    const credentials = readAdminCredentials(dirname(path), environment);
    if (!credentials) throw new Error(`set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY (no ${adminCredentialsFile(dirname(path))})`);
    this.credentials = credentials;
  }

  endpointOf(region: string): string {
    const entry = this.catalog.regions.find((candidate) => candidate.name === region);
    if (!entry) throw new Error(`region ${region} is not in the catalog`);
    return entry.endpoint;
  }

  call<T>(region: string, action: string, input: unknown): Promise<T> {
    return callAwsJson<T>({ endpoint: this.endpointOf(region), region, service: 'cognito-idp', target: `AWSCognitoIdentityProviderService.${action}`, input, credentials: this.credentials, timeoutMs: 10_000 });
  }

  /** Asks the pool's primary region first, then any other region that answers. */
  async callAnyRegion<T>(poolId: string, action: string, input: unknown): Promise<T> {
    const primary = primaryRegionOf(poolId);
    const order = [primary, ...this.catalog.regions.map((region) => region.name).filter((name) => name !== primary)];
    let lastError: unknown = null;
    for (const region of order) {
      if (!this.catalog.regions.some((candidate) => candidate.name === region)) continue;
      try {
        return await this.call<T>(region, action, input);
      } catch (error) {
        lastError = error;
        if (!(error instanceof AwsJsonCallFailed) || (error.status !== 0 && error.status < 500)) throw error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('no region of the catalog answered');
  }
}

async function replicasOf(deployment: Deployment, poolId: string): Promise<ReplicaLine[]> {
  return (await deployment.callAnyRegion<{ UserPoolReplicas: ReplicaLine[] }>(poolId, 'ListUserPoolReplicas', { UserPoolId: poolId })).UserPoolReplicas;
}

async function status(pool: string | undefined, options: ReplicasOptions): Promise<number> {
  const deployment = new Deployment(options.catalog);
  const pools = pool ? [pool] : await replicatedPools(deployment);
  const all = await mapInOrder(pools, POOLS_AT_ONCE, async (poolId) => ({ UserPoolId: poolId, Replicas: await replicasOf(deployment, poolId) }));
  if (options.json) {
    console.log(JSON.stringify(all, null, 2));
    return 0;
  }
  if (all.length === 0) console.log('no replicated user pools');
  for (const { UserPoolId, Replicas } of all) for (const replica of Replicas) console.log(statusLine(UserPoolId, replica));
  return 0;
}

/** e.g. `us-east-1_abc eu-west-1 SECONDARY CREATING copied 1200/5000 (24%) applied 88 lag 0.4s` */
export function statusLine(poolId: string, replica: ReplicaLine): string {
  const parts = [poolId, replica.RegionName, replica.Role, replica.Status];
  const progress = replica.Progress;
  if (progress) {
    parts.push(`copied ${progress.CopiedRecords}/${progress.TotalRecords} (${progress.PercentCopied}%)`, `applied ${progress.AppliedSequence}`);
    parts.push(`lag ${progress.LagSeconds === null ? '-' : `${progress.LagSeconds.toFixed(1)}s`}`);
    if (progress.LastError) parts.push(`error: ${progress.LastError}`);
  }
  if (replica.Reachable === false) parts.push('(unreachable: last known status)');
  return parts.join('  ');
}

/**
 * Pools that are primary in some region and have at least one replica, in catalog order. Regions
 * are asked at once; what they answered is reported in catalog order, as asking one after another
 * would (an unreachable region is named, the first other failure ends the command).
 */
async function replicatedPools(deployment: Deployment): Promise<string[]> {
  const regions = deployment.catalog.regions;
  const listed = await settleInOrder(regions, regions.length, (region) => replicatedPoolsIn(deployment, region.name));
  const found: string[] = [];
  for (const [index, result] of listed.entries()) {
    if (result.status === 'rejected') throw result.reason;
    found.push(...result.value.pools);
    if (result.value.unreachable) console.error(`meridian replicas: ${regions[index]!.name} is unreachable; its pools are not listed`);
  }
  return found;
}

/** The pools primary in `region` that have replicas; `unreachable` when the listing was cut short. */
async function replicatedPoolsIn(deployment: Deployment, region: string): Promise<{ pools: string[]; unreachable: boolean }> {
  const pools: string[] = [];
  let token: string | undefined;
  do {
    let page: { UserPools?: Array<{ Id: string }>; NextToken?: string };
    try {
      page = await deployment.call(region, 'ListUserPools', { MaxResults: 60, ...(token ? { NextToken: token } : {}) });
    } catch (error) {
      if (error instanceof AwsJsonCallFailed && error.status === 0) return { pools, unreachable: true };
      throw error;
    }
    // A pool whose id names another region is a replica here; its primary lists it.
    const own = (page.UserPools ?? []).filter((pool) => pool.Id.startsWith(`${region}_`));
    const regionsOfPool = await mapInOrder(own, POOLS_AT_ONCE, async (pool) => (await deployment.call<{ UserPoolReplicas: ReplicaLine[] }>(region, 'ListUserPoolReplicas', { UserPoolId: pool.Id })).UserPoolReplicas.length);
    own.forEach((pool, index) => {
      if (regionsOfPool[index]! > 1) pools.push(pool.Id);
    });
    token = page.NextToken;
  } while (token);
  return { pools, unreachable: false };
}

interface DigestAnswer {
  RegionName: string;
  Digest: string;
  Sequence: number;
}

async function verify(poolId: string, options: ReplicasOptions): Promise<number> {
  const deployment = new Deployment(options.catalog);
  const replicas = await replicasOf(deployment, poolId);
  const primary = replicas.find((replica) => replica.Role === 'PRIMARY');
  if (!primary) throw new Error(`no primary region of ${poolId} answered`);
  const deadline = Date.now() + Number(options.timeout ?? '30') * 1000;
  for (;;) {
    // Every region at once; listed in the order ListUserPoolReplicas gave (the primary first).
    const digests = await Promise.all(
      replicas.map(async (replica): Promise<DigestAnswer> => {
        try {
          return await deployment.call<DigestAnswer>(replica.RegionName, 'GetUserPoolDigest', { UserPoolId: poolId });
        } catch (error) {
          return { RegionName: replica.RegionName, Digest: `unavailable (${(error as Error).message})`, Sequence: -1 };
        }
      }),
    );
    const reference = digests.find((digest) => digest.RegionName === primary.RegionName);
    const caughtUp = reference !== undefined && digests.every((digest) => digest.Sequence === reference.Sequence);
    // Equal sequences with different digests cannot improve by waiting; anything else may.
    if ((caughtUp || Date.now() > deadline) && reference) {
      const equal = caughtUp && digests.every((digest) => digest.Digest === reference.Digest);
      if (options.json) console.log(JSON.stringify({ UserPoolId: poolId, Equal: equal, Regions: digests }, null, 2));
      else {
        for (const digest of digests) console.log(`${poolId}  ${digest.RegionName}  sequence ${digest.Sequence}  digest ${digest.Digest}`);
        console.log(equal ? `verified: every region holds the same records at sequence ${reference.Sequence}` : 'MISMATCH: the regions do not hold the same records');
      }
      return equal ? 0 : 1;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

interface ChecklistAnswer {
  UserPoolId: string;
  PrimaryRegion: string;
  Regions: Array<{ RegionName: string; Role: string; Status: string; Reachable: boolean }>;
  Settings: Array<{ Name: string; ConfiguredEverywhere: boolean; MatchesPrimaryEverywhere: boolean; Regions: Array<{ RegionName: string; Configured: boolean | null; MatchesPrimary: boolean | null }> }>;
  Ready: boolean;
}

async function checklist(poolId: string, options: ReplicasOptions): Promise<number> {
  const deployment = new Deployment(options.catalog);
  const answer = await deployment.callAnyRegion<ChecklistAnswer>(poolId, 'GetFailoverChecklist', { UserPoolId: poolId });
  if (options.json) {
    console.log(JSON.stringify(answer, null, 2));
    return 0;
  }
  console.log(`failover checklist of ${poolId} (primary ${answer.PrimaryRegion})`);
  for (const region of answer.Regions) console.log(`  region ${region.RegionName}  ${region.Role}  ${region.Status}${region.Reachable ? '' : '  UNREACHABLE'}`);
  for (const setting of answer.Settings) {
    const cells = setting.Regions.map((region) => {
      if (region.Configured === null) return `${region.RegionName}: unknown`;
      if (!region.Configured) return `${region.RegionName}: NOT CONFIGURED`;
      return `${region.RegionName}: configured${region.MatchesPrimary === false ? ' (differs from primary)' : ''}`;
    });
    console.log(`  [${setting.ConfiguredEverywhere ? 'x' : ' '}] ${setting.Name}  ${cells.join('; ')}`);
  }
  console.log(answer.Ready ? 'ready: every per-region setting is configured in every region' : 'not ready: configure the settings marked [ ] in each region before failing over');
  return 0;
}
