import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { CognitoIdentityProviderClient, CreateUserPoolCommand, DescribeUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { freeLoopbackPort } from '../support/region-process.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
/** tsx compiles the sources on first start, in each region process; a loaded machine is slow. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 5;

interface Catalog {
  globalIssuerUrl: string;
  interRegionSecret: string;
  regions: { name: string; endpoint: string; pid: number }[];
}
interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A child with its output collected, and a promise of its exit. */
interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The child gets no MERIDIAN_* or test-runner variable of this process: exactly what the test asks. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MERIDIAN_') && !name.startsWith('NODE_TEST')) environment[name] = value;
  return environment;
}

function launch(args: string[], detached: boolean): Started {
  const child = spawn(process.execPath, [MERIDIAN_BIN, ...args], { env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-256 * 1024);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function waitForLine(started: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  let gone = false;
  void started.exited.then(() => (gone = true));
  await waitUntil(`output matches ${pattern}`, timeoutMs, () => {
    if (pattern.test(started.output())) return true;
    if (gone) throw new Error(`exited before printing ${pattern}:\n${started.output()}`);
    return false;
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answersHealth(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Two consecutive ports nobody listened on a moment ago. */
async function twoConsecutiveFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await freeLoopbackPort();
    if (port < 65535 && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free loopback ports');
}

const readCatalog = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'regions.json'), 'utf8')) as Catalog;

/**
 * The operator contract of `meridian up`, against real processes: one `serve` per region on
 * consecutive ports, the region catalog regions.json, `ready`, no restart of a dead region, a
 * region restarted by hand from the catalog rejoining with its data, SIGTERM to the group.
 */
test('meridian up: catalog, ready, a killed region is not restarted, manual restart from the catalog, SIGTERM to the group', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-e2e-up-'));
  const clients: { destroy(): void }[] = [];
  let up: Started | undefined;
  let manual: Started | undefined;
  const pids = new Set<number>();
  after(async () => {
    for (const client of clients) client.destroy();
    if (up?.child.pid !== undefined && isAlive(up.child.pid)) {
      try {
        process.kill(-up.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    manual?.child.kill('SIGKILL');
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Start up; another process may take the ports in between, so retry on fresh ones.
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await twoConsecutiveFreePorts();
    up = launch(['up', '--regions', 'us-east-1,eu-west-1', '--port', String(port), '--data', dataDir], true);
    try {
      await waitForLine(up, /ready/, START_TIMEOUT_MS);
      break;
    } catch (error) {
      try {
        process.kill(-up.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await up.exited;
      if (attempt >= PORT_ATTEMPTS || !/EADDRINUSE/.test(up.output())) throw new Error(`${(error as Error).message}\n${up.output()}`);
    }
  }
  const upPid = up.child.pid!;

  const catalog = readCatalog(dataDir);
  assert.equal(statSync(join(dataDir, 'regions.json')).mode & 0o777, 0o600, 'the catalog holds the inter-region secret');
  assert.equal(catalog.globalIssuerUrl, `http://127.0.0.1:${port}`);
  assert.equal(typeof catalog.interRegionSecret, 'string');
  assert.deepEqual(
    catalog.regions.map(({ name, endpoint }) => ({ name, endpoint })),
    [
      { name: 'us-east-1', endpoint: `http://127.0.0.1:${port}` },
      { name: 'eu-west-1', endpoint: `http://127.0.0.1:${port + 1}` },
    ],
  );
  for (const region of catalog.regions) {
    assert.ok(Number.isInteger(region.pid) && isAlive(region.pid), `${region.name} pid ${region.pid} is running`);
    assert.notEqual(region.pid, upPid);
    pids.add(region.pid);
  }
  const [east, west] = catalog.regions as [Catalog['regions'][number], Catalog['regions'][number]];

  const admin = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as AccessKey;
  const cognito = (region: string, endpoint: string) => {
    const client = new CognitoIdentityProviderClient({ region, endpoint, credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey }, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  for (const region of catalog.regions) {
    assert.ok(await answersHealth(region.endpoint), `${region.name} answers /health`);
    const listed = await cognito(region.name, region.endpoint).send(new ListUserPoolsCommand({ MaxResults: 10 }));
    assert.ok(Array.isArray(listed.UserPools));
  }

  // The catalog gives each region its peer for KMS key replication.
  const kmsEast = new KMSClient({ region: east.name, endpoint: east.endpoint, credentials: admin, maxAttempts: 1 });
  const kmsWest = new KMSClient({ region: west.name, endpoint: west.endpoint, credentials: admin, maxAttempts: 1 });
  clients.push(kmsEast, kmsWest);
  const key = (await kmsEast.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
  await kmsEast.send(new ReplicateKeyCommand({ KeyId: key.KeyId!, ReplicaRegion: west.name }));
  const replica = await kmsWest.send(new DescribeKeyCommand({ KeyId: key.KeyId! }));
  assert.equal(replica.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, 'REPLICA');

  const westCognito = cognito(west.name, west.endpoint);
  const { UserPool } = await westCognito.send(new CreateUserPoolCommand({ PoolName: 'up-contract' }));
  const before = (await westCognito.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id! }))).UserPool!;

  // kill -9 one region: the other keeps answering, and up does not start it again.
  process.kill(west.pid, 'SIGKILL');
  await waitUntil('the killed region is gone', STOP_TIMEOUT_MS, () => !isAlive(west.pid));
  await waitUntil(`up reports region ${west.name} exited`, STOP_TIMEOUT_MS, () => up!.output().includes(`region ${west.name} exited`));
  assert.ok(await answersHealth(east.endpoint), 'the other region keeps answering');
  await cognito(east.name, east.endpoint).send(new ListUserPoolsCommand({ MaxResults: 10 }));
  assert.ok(isAlive(upPid), 'up keeps running');
  assert.equal(await answersHealth(west.endpoint), false, 'the killed region is not restarted');
  assert.equal(readCatalog(dataDir).regions[1]!.pid, west.pid, 'up started no new process for it');

  // Restart it by hand from the catalog alone: it rejoins with its data and records its new pid.
  manual = launch(['serve', '--catalog', join(dataDir, 'regions.json'), '--region', west.name], false);
  await waitForLine(manual, /listening/, START_TIMEOUT_MS);
  const manualPid = manual.child.pid!;
  pids.add(manualPid);
  assert.ok(await answersHealth(west.endpoint), manual.output());
  const after_ = (await westCognito.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id! }))).UserPool!;
  assert.deepEqual(after_, before);
  const updated = readCatalog(dataDir);
  assert.equal(updated.regions[1]!.pid, manualPid);
  assert.equal(updated.regions[0]!.pid, east.pid);
  assert.equal(updated.interRegionSecret, catalog.interRegionSecret);
  // The restarted region still has its peer: the replica is still there and it knows the primary.
  assert.equal((await kmsWest.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, 'REPLICA');

  // SIGTERM to up's process group stops up and its regions; the manual one is stopped separately.
  process.kill(-upPid, 'SIGTERM');
  const upExit = await Promise.race([up.exited, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), STOP_TIMEOUT_MS))]);
  assert.notEqual(upExit, 'timeout', `up still running ${STOP_TIMEOUT_MS} ms after SIGTERM:\n${up.output()}`);
  t.diagnostic(`up exited with ${JSON.stringify(upExit)}`);
  await waitUntil('every region up started is gone', STOP_TIMEOUT_MS, () => !isAlive(upPid) && !isAlive(east.pid));
  manual.child.kill('SIGTERM');
  const manualExit = await Promise.race([manual.exited, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), STOP_TIMEOUT_MS))]);
  assert.notEqual(manualExit, 'timeout', manual.output());
  await waitUntil('the manually started region is gone', STOP_TIMEOUT_MS, () => !isAlive(manualPid));
  for (const pid of [upPid, east.pid, west.pid, manualPid]) assert.equal(isAlive(pid), false, `pid ${pid} gone`);
});
