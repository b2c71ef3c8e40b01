import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newInterRegionSecret, readRegionCatalog, recordRegionPid, withCatalogLock, writeRegionCatalog } from '../regions/region-catalog.ts';
import { resolveAdminCredentials } from './admin-credentials.ts';

export interface UpOptions {
  regions: string;
  port: string;
  data: string;
  globalIssuerUrl?: string;
}

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));

/**
 * `meridian up`: a local deployment with each region as its own `meridian serve --catalog` process
 * and its own data directory (`<data>/<region>`), sharing one set of admin credentials
 * (`<data>/admin-credentials.json`). Writes the region catalog `<data>/regions.json`
 * (src/regions/region-catalog.ts), from which each region takes its port, peers and the global
 * issuer URL; prints `ready` once every region answers /health, and stops them all on
 * SIGTERM/SIGINT. The regions stay in up's process group, so a SIGTERM to the group reaches them
 * too. A region that dies is not restarted; the others keep running.
 */
export async function upCommand(options: UpOptions): Promise<void> {
  const dataDir = resolve(options.data);
  mkdirSync(dataDir, { recursive: true });
  // Generated (or read) here so every region reads the same file; env credentials are inherited.
  const credentials = resolveAdminCredentials(dataDir);
  const names = options.regions.split(',').map((name) => name.trim()).filter(Boolean);
  const basePort = Number(options.port);
  if (names.length === 0 || !Number.isInteger(basePort) || basePort < 1 || basePort + names.length - 1 > 65535) {
    console.error('meridian up: --regions needs at least one name and --port a port with room for every region');
    process.exit(2);
  }
  const endpoints = names.map((name, index) => ({ name, endpoint: `http://127.0.0.1:${basePort + index}` }));

  // The global issuer defaults to the first region's endpoint: with no router yet it is the one
  // address every client can reach; a failover router will front this URL later
  // (--global-issuer-url names the router's address once there is one).
  const globalIssuerUrl = options.globalIssuerUrl ?? endpoints[0]!.endpoint;
  if (!URL.canParse(globalIssuerUrl)) {
    console.error(`meridian up: --global-issuer-url ${globalIssuerUrl} is not a URL`);
    process.exit(2);
  }

  const catalogFile = join(dataDir, 'regions.json');
  try {
    withCatalogLock(catalogFile, () => {
      // The inter-region secret is generated once and kept: replicas made earlier stay reachable.
      const interRegionSecret = existsSync(catalogFile) ? readRegionCatalog(catalogFile).interRegionSecret : newInterRegionSecret();
      writeRegionCatalog(catalogFile, { globalIssuerUrl, interRegionSecret, regions: endpoints.map((region) => ({ ...region, pid: null })) });
    });
  } catch (error) {
    console.error(`meridian up: cannot write ${catalogFile}: ${(error as Error).message}`);
    process.exit(2);
  }

  const regions = endpoints.map(({ name, endpoint }) => {
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'serve', '--catalog', catalogFile, '--region', name], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    });
    child.on('exit', (code, signal) => console.log(`region ${name} exited (${signal ?? code})`));
    return { name, endpoint, child };
  });
  // Each region also records its own pid when it starts; both writers set the same value.
  for (const { name, child } of regions) if (child.pid !== undefined) recordRegionPid(catalogFile, name, child.pid);

  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    for (const { child } of regions) if (isRunning(child)) child.kill('SIGTERM');
    void Promise.all(regions.map(({ child }) => exited(child))).then(() => process.exit(exitCode));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  try {
    await Promise.all(regions.map(({ endpoint, child }) => waitForHealth(endpoint, child)));
  } catch (error) {
    console.error(`meridian up: ${(error as Error).message}; stopping the other regions`);
    stop(1);
    return;
  }
  console.log('');
  for (const { name, endpoint } of regions) console.log(`region ${name}: ${endpoint}`);
  console.log(`region catalog: ${catalogFile}; global issuer: ${globalIssuerUrl}`);
  console.log(`admin credentials: AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`);
  console.log(`meridian ready: ${regions.length} region(s)`);
}

async function waitForHealth(endpoint: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (!isRunning(child)) throw new Error(`region at ${endpoint} exited before it was ready`);
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** A child killed by a signal has exitCode null but a signalCode. */
function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  return !isRunning(child) ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}
