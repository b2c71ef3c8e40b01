import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { readRegionCatalog, writeRegionCatalog } from '../../src/regions/region-catalog.ts';
import { TEST_ADMIN } from '../support/region.ts';
import { freeLoopbackPort, startRegionProcess, type RegionProcess } from '../support/region-process.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
const WORKERS = 2;
/** Grants each on a connection of its own, so the primary hands them to the workers in turn. */
const GRANTS = 12;

/** Worker processes of a `serve --workers` primary: its children running bin/meridian.js (not tsx's esbuild). */
function workerPids(primary: number): number[] {
  const children = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('meridian.js');
    } catch {
      return false;
    }
  });
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

function getOnNewConnection(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false, headers: { connection: 'close' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

/** One POST on a fresh connection (no keep-alive), so each request is a new connection for the primary to hand out. */
function postOnNewConnection(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { agent: false, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, connection: 'close', 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function signedGet(base: string, pathAndQuery: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const target = new URL(pathAndQuery, base);
  const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({ method: 'GET', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname, query: Object.fromEntries(target.searchParams), headers: { host: target.host } }),
  );
  const response = await fetch(target, { headers: signed.headers as Record<string, string> });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/**
 * `meridian serve --workers <n>`: n worker processes share the port and the store; the primary
 * keeps the serve contract (one listening line once all listen, exit 0 on SIGTERM with the
 * workers stopped, its own pid in the catalog), and state that the workers share reads the same
 * everywhere (M2M usage counted in every worker adds up in a read).
 */
describe('meridian serve --workers', () => {
  const dataDirs: string[] = [];
  const processes: RegionProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-e2e-workers-'));
    dataDirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const running of processes) await running.stop('SIGKILL').catch(() => undefined);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('one listening line, workers serve, usage from every worker adds up, SIGTERM stops them all with exit 0', async () => {
    const dataDir = newDataDir();
    const region = await startRegionProcess({ dataDir, extraArgs: ['--workers', String(WORKERS)] });
    processes.push(region);
    assert.equal(region.output().match(/listening/g)?.length, 1, region.output());
    const workers = workerPids(region.pid);
    assert.equal(workers.length, WORKERS, `children of the primary: ${workers.join(', ')}`);

    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'workers' }))).UserPool!.Id!;
    await region.cognito.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
    const prefix = `workers-${randomBytes(3).toString('hex')}`;
    await region.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    const client = (
      await region.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'm2m', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'] }),
      )
    ).UserPoolClient!;
    // Every worker serves what another wrote: the pool's keys, asked for on new connections.
    for (let i = 0; i < WORKERS * 2; i += 1) {
      const jwks = await getOnNewConnection(`${region.url}/${poolId}/.well-known/jwks.json`);
      assert.equal(jwks.status, 200, jwks.text);
      assert.equal((JSON.parse(jwks.text) as { keys: unknown[] }).keys.length, 2);
    }
    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Id, poolId);

    const authorization = `Basic ${Buffer.from(`${client.ClientId}:${client.ClientSecret}`).toString('base64')}`;
    for (let i = 0; i < GRANTS; i += 1) {
      const granted = await postOnNewConnection(`${region.url}/${prefix}/oauth2/token`, { authorization, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
      assert.equal(granted.status, 200, granted.text);
    }
    // Counted in memory by whichever worker issued each token; the read asks the others to flush.
    const usage = await signedGet(region.url, `/admin/usage?poolId=${poolId}`);
    assert.equal(usage.status, 200, JSON.stringify(usage.json));
    assert.deepEqual(usage.json.M2MTokens, { Total: GRANTS, Clients: [{ ClientId: client.ClientId, Tokens: GRANTS }] });

    assert.equal(await region.stop('SIGTERM'), 0, region.output());
    assert.equal(region.output().match(/stopping on SIGTERM/g)?.length, 1, region.output());
    for (const worker of workers) assert.ok(!alive(worker), `worker ${worker} still running`);
  });

  test('--catalog records the primary pid; a worker that dies stops the region with exit 1', async () => {
    const catalogDir = newDataDir();
    const port = await freeLoopbackPort();
    const file = join(catalogDir, 'regions.json');
    writeRegionCatalog(file, {
      globalIssuerUrl: `http://127.0.0.1:${port}`,
      interRegionSecret: randomBytes(32).toString('base64url'),
      regions: [{ name: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, pid: null }],
    });
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'serve', '--catalog', file, '--region', 'us-east-1', '--workers', String(WORKERS), '--log-level', 'warn'], {
      env: { ...process.env, MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => {
          if (output.includes('listening')) resolve();
        });
        void exited.then(() => reject(new Error(`serve exited before listening:\n${output}`)));
      });
      assert.equal(readRegionCatalog(file).regions[0]!.pid, child.pid, output);
      const workers = workerPids(child.pid!);
      assert.equal(workers.length, WORKERS);

      process.kill(workers[0]!, 'SIGKILL');
      assert.equal(await exited, 1, output);
      assert.match(output, /worker \d+ exited/);
      for (const worker of workers) assert.ok(!alive(worker), `worker ${worker} still running`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
