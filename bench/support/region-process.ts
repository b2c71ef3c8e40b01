import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import pg from 'pg';
import { closeConnections, post, prepareRequest, type PreparedRequest } from './http-client.ts';

const { defaultThreadPoolSize } = createRequire(import.meta.url)('../../bin/thread-pool-size.cjs') as { defaultThreadPoolSize: () => number };

export const BENCH_ADMIN = { accessKeyId: 'AKIABENCHADMIN000001', secretAccessKey: 'bench-admin-secret-0123456789abcdefgh' };

export interface BenchRegion {
  url: string;
  pid: number;
  cognito: CognitoIdentityProviderClient;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Worker processes for the benchmarked server: one, as `meridian serve` runs by default
 * (MERIDIAN_BENCH_WORKERS=n runs `--workers n`). On this project's 2-core machine one process
 * (a main thread and libuv's thread pool on both cores) gave 79-86% of the refresh floor against
 * 70-73% with two workers, whose two main threads and heaps take turns on the same cores
 * (docs/BENCHMARKS.md).
 */
export const BENCH_WORKERS = Number(process.env.MERIDIAN_BENCH_WORKERS ?? 1);

/**
 * UV_THREADPOOL_SIZE for the benchmarked server alone (MERIDIAN_BENCH_THREADS): set in the
 * benchmark's own environment it would change the floors' thread pool too. Unset: the server's own
 * choice.
 */
const BENCH_THREADS = process.env.MERIDIAN_BENCH_THREADS;

/**
 * The PostgreSQL database to run the benchmarked server on (MERIDIAN_BENCH_DATABASE, e.g.
 * `postgres://postgres@127.0.0.1:5432/test`); unset: the embedded SQLite store. Each run works in
 * a schema of its own, dropped when the region stops.
 */
export const BENCH_DATABASE = process.env.MERIDIAN_BENCH_DATABASE;

/** A real `meridian serve` process on loopback, as operators run it, for benchmarks. */
export async function startBenchRegion(extraArgs: string[] = []): Promise<BenchRegion> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const port = await freePort();
  const schema = BENCH_DATABASE ? `bench_region_${randomBytes(4).toString('hex')}` : null;
  const databaseArgs = BENCH_DATABASE && schema ? ['--database', withSchema(BENCH_DATABASE, schema)] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...(process.env.MERIDIAN_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MERIDIAN_BENCH_PROFILE}`] : []), 'bin/meridian.js', 'serve', '--region', 'us-east-1', '--port', String(port), '--data', dataDir, '--log-level', 'warn', '--workers', String(BENCH_WORKERS), ...databaseArgs, ...extraArgs],
    { env: { ...process.env, ...(BENCH_THREADS ? { UV_THREADPOOL_SIZE: BENCH_THREADS } : {}), MERIDIAN_ADMIN_ACCESS_KEY_ID: BENCH_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: BENCH_ADMIN.secretAccessKey }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await untilListening(child);
  const url = `http://127.0.0.1:${port}`;
  const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials: BENCH_ADMIN });
  return {
    url,
    pid: child.pid!,
    cognito,
    async stop() {
      cognito.destroy();
      closeConnections();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
      if (BENCH_DATABASE && schema) await dropSchema(BENCH_DATABASE, schema);
    },
  };
}

/** Resolves once the child prints `listening`; rejects if it exits first. */
function untilListening(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code}: ${output}`)));
  });
}

/**
 * The bare token route of bench/support/bare-token-server.ts in a process of its own, signing the
 * claims `m2mAccessClaims` gives for `clientId` and `issuer`, with as many
 * libuv threads as `meridian serve` gives itself here (bin/thread-pool-size.cjs), unless
 * MERIDIAN_BENCH_THREADS sets the server's.
 */
export async function startBareTokenServer(clientId: string, issuer: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const threads = BENCH_THREADS ?? String(defaultThreadPoolSize());
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bare-token-server.ts', String(port), clientId, issuer], { env: { ...process.env, UV_THREADPOOL_SIZE: threads }, stdio: ['ignore', 'pipe', 'inherit'] });
  await untilListening(child);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function withSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** One raw AWS JSON call (lighter than the SDK and than fetch, so the load generator takes less CPU). */
export async function callCognito(url: string, action: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await post(url, cognitoHeaders(action), JSON.stringify(body));
  return { status: response.status, json: JSON.parse(response.text) as Record<string, unknown> };
}

/** One raw AWS JSON call, prepared for a load phase to send over and over (http-client.ts `send`). */
export function prepareCognito(url: string, action: string, body: unknown): PreparedRequest {
  return prepareRequest(url, cognitoHeaders(action), JSON.stringify(body));
}

function cognitoHeaders(action: string): Record<string, string> {
  return { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` };
}
