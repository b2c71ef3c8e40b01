import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { dropPostgresSchema, postgresTestUrl, uniquePostgresSchema } from '../support/stores.ts';

const INCREMENTER = fileURLToPath(new URL('../support/store-incrementer.ts', import.meta.url));
const PROCESSES = 4;
const INCREMENTS_EACH = 25;

/** A backend on fresh storage that several processes can open: its createStore arguments and cleanup. */
interface SharedStorage {
  dataDir: string;
  databaseUrl?: string;
  dispose(): Promise<void>;
}

const backends: Array<{ name: string; prepare(): Promise<SharedStorage> }> = [
  {
    name: 'sqlite',
    async prepare() {
      const dataDir = await mkdtemp(join(tmpdir(), 'meridian-local-state-'));
      return { dataDir, dispose: () => rm(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    async prepare() {
      const schema = uniquePostgresSchema();
      return { dataDir: tmpdir(), databaseUrl: postgresTestUrl(schema), dispose: () => dropPostgresSchema(schema) };
    },
  },
];

/** Runs one incrementer process to the end; resolves with the counter values it saw. */
function incrementer(mode: 'local' | 'record', storage: SharedStorage, poolId: string, go: Promise<void>): { ready: Promise<void>; seen: Promise<number[]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', INCREMENTER, mode, storage.dataDir, storage.databaseUrl ?? '-', poolId, String(INCREMENTS_EACH)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`incrementer exited before ready: ${stderr}`)));
  });
  void go.then(() => child.stdin.end('go\n'));
  const seen = new Promise<number[]>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`incrementer exited with ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.split('\n')[1]!) as number[]);
    });
  });
  return { ready, seen };
}

/**
 * Region-local state (lockout counters, usage counts, the outbox) is changed by every process of a
 * region (`serve --workers`, servers sharing a PostgreSQL). Store.updateLocal must make each
 * read-modify-write atomic across processes: N concurrent increments end at N, and every
 * increment saw a different value.
 */
/** Starts PROCESSES incrementers, lets them go together, and returns every value they saw, sorted. */
async function runIncrementers(mode: 'local' | 'record', storage: SharedStorage, poolId: string): Promise<number[]> {
  let release!: () => void;
  const go = new Promise<void>((resolve) => (release = resolve));
  const children = Array.from({ length: PROCESSES }, () => incrementer(mode, storage, poolId, go));
  // Every process has its store open before any starts, so their updates overlap.
  await Promise.all(children.map((child) => child.ready));
  release();
  return (await Promise.all(children.map((child) => child.seen))).flat().sort((a, b) => a - b);
}

const TOTAL = PROCESSES * INCREMENTS_EACH;
const ONE_TO_TOTAL = Array.from({ length: TOTAL }, (_, index) => index + 1);

/**
 * Several processes share one store (`serve --workers`, servers sharing a PostgreSQL). Region-local
 * state (lockout counters, usage counts, the outbox) must change by atomic read-modify-writes
 * (Store.updateLocal), and a pool transaction's read-then-write (single-use codes) must exclude
 * every other process's: N concurrent increments end at N, and each saw a different value.
 */
for (const backend of backends) {
  describe(`store read-modify-writes across processes (${backend.name})`, () => {
    const withStore = async (body: (store: Store, storage: SharedStorage) => Promise<void>) => {
      const storage = await backend.prepare();
      try {
        const store = await createStore({ dataDir: storage.dataDir, region: 'test', ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : {}) });
        try {
          await body(store, storage);
        } finally {
          await store.close();
        }
      } finally {
        await storage.dispose();
      }
    };

    test('updateLocal: concurrent increments from several processes, none lost', () =>
      withStore(async (store, storage) => {
        const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
        assert.deepEqual(await runIncrementers('local', storage, poolId), ONE_TO_TOTAL);
        assert.deepEqual(JSON.parse((await store.getLocal(poolId, 'counter', 'shared'))!.toString('utf8')), { n: TOTAL });
      }));

    test('transaction: a record read and rewritten by several processes at once, none lost', () =>
      withStore(async (store, storage) => {
        const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
        await store.createPool({ poolId, wrappedDataKey: Buffer.from('wrapped'), keyReference: 'service', createdAt: 1 }, async () => undefined);
        assert.deepEqual(await runIncrementers('record', storage, poolId), ONE_TO_TOTAL);
        const record = await store.read(poolId, (tx) => tx.get('counter', 'shared'));
        assert.deepEqual(JSON.parse(record!.payload.toString('utf8')), { n: TOTAL });
      }));

    test('updateLocal: an update that returns no payload leaves the value as it is', () =>
      withStore(async (store) => {
        await store.putLocal('pool', 'kind', 'id', Buffer.from('kept'));
        const result = await store.updateLocal('pool', 'kind', 'id', (current) => ({ payload: null, result: current?.toString('utf8') }));
        assert.equal(result, 'kept');
        assert.equal((await store.getLocal('pool', 'kind', 'id'))?.toString('utf8'), 'kept');
        assert.equal(await store.updateLocal('pool', 'kind', 'absent', (current) => ({ payload: null, result: current })), null);
        assert.equal(await store.getLocal('pool', 'kind', 'absent'), null);
      }));
  });
}
