import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { adminCredentialsFile } from '../../src/cli/admin-credentials.ts';
import { newInterRegionSecret, writeRegionCatalog } from '../../src/regions/region-catalog.ts';
import { TEST_ADMIN } from '../support/region.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
const EAST = 'us-east-1';
const WEST = 'eu-west-1';
/**
 * How long a held answer waits for the request it expects alongside: only a CLI asking one region
 * after another waits it out. Under the CLI's own 10 s timeout, so that failure shows as such.
 */
const OVERLAP_DEADLINE_MS = 8_000;

type Answer = Record<string, unknown>;
/** Answers one Cognito action of a fake region; `call` is how many times it was asked for that pool before (0 first). */
type FakeAction = (input: { UserPoolId?: string }, call: number) => Promise<Answer> | Answer;

/**
 * Requests the fake regions received, by `<region> <action> <pool> #<call>`: an answer can be held
 * until another request arrives, which proves the CLI sent both before either was answered.
 */
class Arrivals {
  /** The access key id of every request's signature. */
  readonly signedWith: string[] = [];
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, Array<() => void>>();

  arrived(key: string): void {
    this.seen.add(key);
    for (const wake of this.waiting.get(key) ?? []) wake();
    this.waiting.delete(key);
  }

  /** True once `key` has arrived; false if it has not within OVERLAP_DEADLINE_MS. */
  alongside(key: string): Promise<boolean> {
    if (this.seen.has(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), OVERLAP_DEADLINE_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), wake]);
    });
  }
}

/** A region that answers the Cognito JSON actions `replicas` uses (signatures are not checked). */
async function fakeRegion(name: string, arrivals: Arrivals, actions: Record<string, FakeAction>): Promise<{ server: Server; endpoint: string }> {
  const calls = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', async () => {
      const action = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const input = JSON.parse(body || '{}') as { UserPoolId?: string };
      arrivals.signedWith.push(/Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '');
      const counter = `${action} ${input.UserPoolId ?? ''}`;
      const call = calls.get(counter) ?? 0;
      calls.set(counter, call + 1);
      arrivals.arrived(`${name} ${counter} #${call}`);
      const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
      const answer = handler ? await handler(input, call) : { __type: 'UnknownOperationException', message: action };
      response.writeHead(handler ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const ADMIN_ENV = { MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey };

/** `meridian replicas <args> --catalog <file>` with exactly the admin credentials in `admin` (none: {}). */
function runReplicas(catalogFile: string, args: string[], admin: Record<string, string> = ADMIN_ENV): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { MERIDIAN_ADMIN_ACCESS_KEY_ID: _id, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: _secret, ...inherited } = process.env;
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'replicas', ...args, '--catalog', catalogFile], {
      env: { ...inherited, ...admin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const primary = (region: string, pool: string) => ({ RegionName: region, UserPoolArn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${pool}`, Role: 'PRIMARY', Status: 'ACTIVE' });
const secondary = (region: string, pool: string, status: string, copied: number, total: number, applied: number) => ({
  RegionName: region,
  UserPoolArn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${pool}`,
  Role: 'SECONDARY',
  Status: status,
  Progress: { CopiedRecords: copied, TotalRecords: total, PercentCopied: Math.floor((copied / total) * 100), AppliedSequence: applied, PrimarySequence: applied, LagSeconds: 0, LastError: null },
});

describe('meridian replicas status and verify ask the regions in parallel, and print in a stable order', () => {
  let folder: string;
  const servers: Server[] = [];
  after(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    if (folder) rmSync(folder, { recursive: true, force: true });
  });
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'meridian-replicas-cli-'));
  });

  /** Two fake regions and a catalog naming them, east first, in a folder of its own. */
  async function deployment(arrivals: Arrivals, east: Record<string, FakeAction>, west: Record<string, FakeAction>): Promise<string> {
    const eastRegion = await fakeRegion(EAST, arrivals, east);
    const westRegion = await fakeRegion(WEST, arrivals, west);
    servers.push(eastRegion.server, westRegion.server);
    const catalogFolder = join(folder, `deployment-${servers.length}`);
    mkdirSync(catalogFolder);
    const catalogFile = join(catalogFolder, 'regions.json');
    writeRegionCatalog(catalogFile, {
      globalIssuerUrl: eastRegion.endpoint,
      interRegionSecret: newInterRegionSecret(),
      regions: [
        { name: EAST, endpoint: eastRegion.endpoint, pid: null },
        { name: WEST, endpoint: westRegion.endpoint, pid: null },
      ],
    });
    return catalogFile;
  }

  test('status of every replicated pool', { timeout: 60_000 }, async () => {
    const arrivals = new Arrivals();
    const overlaps: boolean[] = [];
    const replicasOf: Record<string, unknown[]> = {
      'us-east-1_aaa': [primary(EAST, 'us-east-1_aaa'), secondary(WEST, 'us-east-1_aaa', 'ACTIVE', 10, 10, 5)],
      'us-east-1_bbb': [primary(EAST, 'us-east-1_bbb'), secondary(WEST, 'us-east-1_bbb', 'CREATING', 3, 4, 2)],
      'us-east-1_zzz': [primary(EAST, 'us-east-1_zzz')],
      'eu-west-1_ccc': [primary(WEST, 'eu-west-1_ccc'), { ...secondary(EAST, 'eu-west-1_ccc', 'INACTIVE', 7, 7, 9), Reachable: false }],
    };
    const listReplicas: FakeAction = ({ UserPoolId }) => ({ UserPoolReplicas: replicasOf[UserPoolId!] });
    const catalogFile = await deployment(
      arrivals,
      {
        // East's listing is answered only once west's has arrived: the regions are listed at once,
        // and west answering first must not put its pools first.
        ListUserPools: async () => {
          overlaps.push(await arrivals.alongside(`${WEST} ListUserPools  #0`));
          return { UserPools: [{ Id: 'us-east-1_aaa' }, { Id: 'us-east-1_bbb' }, { Id: 'us-east-1_zzz' }] };
        },
        // The second question about aaa (for its status line) waits for the one about ccc.
        ListUserPoolReplicas: async (input, call) => {
          if (input.UserPoolId === 'us-east-1_aaa' && call === 1) overlaps.push(await arrivals.alongside(`${WEST} ListUserPoolReplicas eu-west-1_ccc #1`));
          return listReplicas(input, call);
        },
      },
      { ListUserPools: () => ({ UserPools: [{ Id: 'us-east-1_aaa' }, { Id: 'eu-west-1_ccc' }] }), ListUserPoolReplicas: listReplicas },
    );

    const result = await runReplicas(catalogFile, ['status']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      'us-east-1_aaa  us-east-1  PRIMARY  ACTIVE',
      'us-east-1_aaa  eu-west-1  SECONDARY  ACTIVE  copied 10/10 (100%)  applied 5  lag 0.0s',
      'us-east-1_bbb  us-east-1  PRIMARY  ACTIVE',
      'us-east-1_bbb  eu-west-1  SECONDARY  CREATING  copied 3/4 (75%)  applied 2  lag 0.0s',
      'eu-west-1_ccc  eu-west-1  PRIMARY  ACTIVE',
      'eu-west-1_ccc  us-east-1  SECONDARY  INACTIVE  copied 7/7 (100%)  applied 9  lag 0.0s  (unreachable: last known status)',
    ]);
    assert.deepEqual(overlaps, [true, true], 'each held answer saw the other request arrive first');
  });

  test('verify', { timeout: 60_000 }, async () => {
    const arrivals = new Arrivals();
    const overlaps: boolean[] = [];
    const pool = 'us-east-1_aaa';
    const catalogFile = await deployment(
      arrivals,
      {
        ListUserPoolReplicas: () => ({ UserPoolReplicas: [primary(EAST, pool), secondary(WEST, pool, 'ACTIVE', 4, 4, 7)] }),
        // The primary's digest is held until west's is asked for: both regions asked at once.
        GetUserPoolDigest: async () => {
          overlaps.push(await arrivals.alongside(`${WEST} GetUserPoolDigest ${pool} #0`));
          return { RegionName: EAST, Digest: 'd1g35t', Sequence: 7 };
        },
      },
      { GetUserPoolDigest: () => ({ RegionName: WEST, Digest: 'd1g35t', Sequence: 7 }) },
    );

    const result = await runReplicas(catalogFile, ['verify', pool]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      `${pool}  us-east-1  sequence 7  digest d1g35t`,
      `${pool}  eu-west-1  sequence 7  digest d1g35t`,
      'verified: every region holds the same records at sequence 7',
    ]);
    assert.deepEqual(overlaps, [true]);
  });

  test('without credentials in the environment, the ones `meridian up` saved beside the catalog; else it says what to set', { timeout: 60_000 }, async () => {
    const arrivals = new Arrivals();
    const pool = 'us-east-1_aaa';
    const catalogFile = await deployment(arrivals, { ListUserPoolReplicas: () => ({ UserPoolReplicas: [primary(EAST, pool)] }) }, {});

    const missing = await runReplicas(catalogFile, ['status', pool], {});
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `meridian replicas: set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY (no ${join(catalogFile, '..', 'admin-credentials.json')})\n`);
    assert.deepEqual(arrivals.signedWith, []);

    const saved = { accessKeyId: 'AKIASAVEDBYUP0000001', secretAccessKey: 'saved-by-meridian-up' };
    writeFileSync(adminCredentialsFile(join(catalogFile, '..')), JSON.stringify(saved), { mode: 0o600 });
    const found = await runReplicas(catalogFile, ['status', pool], {});
    assert.equal(found.code, 0, found.stderr);
    assert.equal(found.stdout, `${pool}  us-east-1  PRIMARY  ACTIVE\n`);
    assert.deepEqual(arrivals.signedWith, [saved.accessKeyId]);

    // The environment, when it has both, wins over the file.
    await runReplicas(catalogFile, ['status', pool]);
    assert.deepEqual(arrivals.signedWith, [saved.accessKeyId, TEST_ADMIN.accessKeyId]);
  });
});
