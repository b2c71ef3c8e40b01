import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { closeConnections, post } from './http-client.ts';

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
 * Worker processes for the benchmarked server: one per core (MERIDIAN_BENCH_WORKERS overrides),
 * the configuration that uses the machine the floor is measured on.
 */
export const BENCH_WORKERS = Number(process.env.MERIDIAN_BENCH_WORKERS ?? availableParallelism());

/** A real `meridian serve` process on loopback, as operators run it, for benchmarks. */
export async function startBenchRegion(extraArgs: string[] = []): Promise<BenchRegion> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [...(process.env.MERIDIAN_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MERIDIAN_BENCH_PROFILE}`] : []), 'bin/meridian.js', 'serve', '--region', 'us-east-1', '--port', String(port), '--data', dataDir, '--log-level', 'warn', '--workers', String(BENCH_WORKERS), ...extraArgs],
    { env: { ...process.env, MERIDIAN_ADMIN_ACCESS_KEY_ID: BENCH_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: BENCH_ADMIN.secretAccessKey }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`region exited with ${code}: ${output}`)));
  });
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
    },
  };
}

/** One raw AWS JSON call (lighter than the SDK and than fetch, so the load generator takes less CPU). */
export async function callCognito(url: string, action: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await post(url, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` }, JSON.stringify(body));
  return { status: response.status, json: JSON.parse(response.text) as Record<string, unknown> };
}
