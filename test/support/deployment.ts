import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { newInterRegionSecret, writeRegionCatalog } from '../../src/regions/region-catalog.ts';
import { TEST_ADMIN } from './region.ts';
import { freeLoopbackPort, startRegionProcess, type RegionProcess } from './region-process.ts';

export interface Deployment {
  folder: string;
  catalogFile: string;
  names: string[];
  /** Running regions by name (a stopped one is removed until started again). */
  regions: Map<string, RegionProcess>;
  region(name: string): RegionProcess;
  /** Starts (or restarts, after a stop or kill) a region with `serve --catalog`. */
  start(name: string): Promise<RegionProcess>;
  kms(name: string): KMSClient;
  close(): Promise<void>;
}

/**
 * A multi-region deployment of real region processes, as `meridian up` lays it out: one catalog
 * (regions.json with free loopback ports, the first region's endpoint as global issuer) and a
 * `serve --catalog` process per region with its own data directory and KMS.
 */
export async function startDeployment(names: string[] = ['us-east-1', 'eu-west-1'], extraEnv: Record<string, string> = {}, extraArgs: Record<string, string[]> = {}): Promise<Deployment> {
  const folder = mkdtempSync(join(tmpdir(), 'meridian-deployment-'));
  const catalogFile = join(folder, 'regions.json');
  const ports = new Map<string, number>();
  for (const name of names) ports.set(name, await freeLoopbackPort());
  const endpoint = (name: string) => `http://127.0.0.1:${ports.get(name)}`;
  writeRegionCatalog(catalogFile, { globalIssuerUrl: endpoint(names[0]!), interRegionSecret: newInterRegionSecret(), regions: names.map((name) => ({ name, endpoint: endpoint(name), pid: null })) });
  const regions = new Map<string, RegionProcess>();
  const kmsClients = new Map<string, KMSClient>();
  const deployment: Deployment = {
    folder,
    catalogFile,
    names,
    regions,
    region(name) {
      const region = regions.get(name);
      if (!region) throw new Error(`region ${name} is not running`);
      return region;
    },
    async start(name) {
      const region = await startRegionProcess({ dataDir: join(folder, name), region: name, port: ports.get(name)!, catalog: catalogFile, extraEnv, extraArgs: extraArgs[name] ?? [] });
      regions.set(name, region);
      void region.exited.then(() => {
        if (regions.get(name) === region) regions.delete(name);
      });
      return region;
    },
    kms(name) {
      let client = kmsClients.get(name);
      if (!client) {
        client = new KMSClient({ region: name, endpoint: endpoint(name), credentials: TEST_ADMIN, maxAttempts: 1 });
        kmsClients.set(name, client);
      }
      return client;
    },
    async close() {
      for (const client of kmsClients.values()) client.destroy();
      for (const region of [...regions.values()]) await region.stop().catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
  };
  try {
    for (const name of names) await deployment.start(name);
  } catch (error) {
    await deployment.close();
    throw error;
  }
  return deployment;
}

/** The key policy docs/KEYS.md asks for, granting user pools of `poolRegion` the key. */
export function multiRegionPoolKeyPolicy(poolRegion: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'Meridian user pools',
        Effect: 'Allow',
        Principal: { Service: 'cognito-idp.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': `${poolRegion}_*` } },
      },
      { Sid: 'Describe', Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
    ],
  });
}

/** A multi-Region key in `primary` for pools there, replicated to `replicaRegions` with the same policy. */
export async function multiRegionKey(deployment: Deployment, primary: string, replicaRegions: string[]): Promise<string> {
  const policy = multiRegionPoolKeyPolicy(primary);
  const key = (await deployment.kms(primary).send(new CreateKeyCommand({ MultiRegion: true, Policy: policy }))).KeyMetadata!;
  for (const region of replicaRegions) await deployment.kms(primary).send(new ReplicateKeyCommand({ KeyId: key.KeyId!, ReplicaRegion: region, Policy: policy }));
  return key.Arn!;
}

/** Polls `probe` until it returns a value other than undefined (no fixed sleeps in assertions). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
