import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { RegionSettings } from '../config/settings.ts';

/**
 * The region catalog: the one file (`<data>/regions.json`, written by `meridian up`) from which
 * every region of a deployment learns the others. Format:
 *
 * ```json
 * {
 *   "globalIssuerUrl": "http://127.0.0.1:9100",
 *   "interRegionSecret": "<43 base64url characters>",
 *   "regions": [{ "name": "us-east-1", "endpoint": "http://127.0.0.1:9100", "pid": 4242 }, ...]
 * }
 * ```
 *
 * `pid` is the region's server process (null between writing the catalog and starting it).
 * `interRegionSecret` is the shared inter-region secret (so the file is written with mode 0600):
 * each pair of regions derives its KMS peer credential from it (`peerCredential`).
 */
const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region names look like us-east-1');

export const regionCatalogSchema = z.object({
  globalIssuerUrl: z.string().url(),
  interRegionSecret: z.string().min(32).max(256),
  regions: z
    .array(z.object({ name: regionName, endpoint: z.string().url(), pid: z.number().int().positive().nullable() }))
    .min(1)
    .refine((regions) => new Set(regions.map((region) => region.name)).size === regions.length, 'region names must be unique'),
});

export type RegionCatalog = z.infer<typeof regionCatalogSchema>;
export type CatalogRegion = RegionCatalog['regions'][number];

/** A new inter-region secret: 32 random bytes, base64url. */
export function newInterRegionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The credential two regions share for KMS key replication, derived from the catalog's secret and
 * the pair of names (order-independent), so both sides compute the same one without exchanging
 * anything. A distinct access key id per pair matters: the receiving KMS recognizes the calling
 * region by the access key id (src/kms/replication/region-peers.ts), which one credential shared by
 * all regions could not tell apart once there are three or more.
 */
export function peerCredential(secret: string, regionA: string, regionB: string): { accessKeyId: string; secretAccessKey: string } {
  const pair = [regionA, regionB].sort().join('\0');
  const derive = (purpose: string) => createHmac('sha256', secret).update(`meridian-peer\0${purpose}\0${pair}`).digest();
  return {
    accessKeyId: 'AKIA' + derive('access-key-id').toString('hex').toUpperCase().slice(0, 16),
    secretAccessKey: derive('secret-access-key').toString('base64url'),
  };
}

/** The `regionPeers` setting of `region`: every other region in the catalog with the pair's credential. */
export function peersOf(catalog: RegionCatalog, region: string): RegionSettings['regionPeers'] {
  const peers: RegionSettings['regionPeers'] = {};
  for (const other of catalog.regions) {
    if (other.name === region) continue;
    peers[other.name] = { endpoint: other.endpoint, ...peerCredential(catalog.interRegionSecret, region, other.name) };
  }
  return peers;
}

export function readRegionCatalog(file: string): RegionCatalog {
  return regionCatalogSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Writes the whole catalog atomically (temp file + rename), mode 0600: it holds a secret. */
export function writeRegionCatalog(file: string, catalog: RegionCatalog): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(catalog, null, 2) + '\n', { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * Sets the pid of one region, under the catalog lock: `up` and the regions it starts (and a region
 * restarted by hand) may update the file at the same moment, and a read-modify-write without the
 * lock could put back a pid another writer just replaced.
 */
export function recordRegionPid(file: string, region: string, pid: number | null): void {
  withCatalogLock(file, () => {
    const catalog = readRegionCatalog(file);
    const entry = catalog.regions.find((candidate) => candidate.name === region);
    if (!entry) throw new Error(`region ${region} is not in the catalog ${file}`);
    entry.pid = pid;
    writeRegionCatalog(file, catalog);
  });
}

/** A holder keeps the lock for a few milliseconds; a lock this old was left by a killed writer. */
const STALE_LOCK_MS = 5_000;
const LOCK_WAIT_MS = 15_000;

/** Runs `update` holding `<file>.lock` (created with O_EXCL), waiting a bounded time for it. */
export function withCatalogLock<T>(file: string, update: () => T): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) {
        rmSync(lock, { force: true });
        continue;
      }
    } catch {
      continue; // released between our attempt and the stat
    }
    if (Date.now() > deadline) throw new Error(`the region catalog ${file} stayed locked (${lock}) for ${LOCK_WAIT_MS} ms`);
    Atomics.wait(pause, 0, 0, 20);
  }
  try {
    return update();
  } finally {
    rmSync(lock, { force: true });
  }
}
