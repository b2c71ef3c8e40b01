/**
 * bench/replication: initial copy and replication lag between two processes on loopback.
 *
 * 1. A primary process (primary-process.ts) creates a pool through the domain code and saves
 *    `--users` users with saveUser (encrypted payloads, blind indexes, change log), then serves
 *    the SigV4-signed change feed on Fastify.
 * 2. Copy: this process, the secondary, runs ReplicaPuller.copySnapshot into its own store over
 *    HTTP; records/s. The pool digests of both sides must then be equal.
 * 3. Lag: the primary makes `--rate` user updates per second for `--seconds`; the puller follows.
 *    Lag of a write = the secondary's applyChanges returning with it minus the primary's
 *    transaction returning with it (both on the same system clock). Run with the long-poll feed
 *    and, for comparison, with the old fixed idle delay between polls.
 * 4. Raw insert rate, same run, same machine, primary stopped: the very records copied, decoded
 *    and held in memory, written into a fresh store (a) with the store's bulk path,
 *    createReplicaPool + applySnapshotPage in pages of the copy's page size, and (b) with the
 *    primary's own write path, PoolTransaction.put in transactions of the same size (change-logged).
 *    The copy is compared with the faster of the two.
 *
 * Run: `npx tsx bench/replication/run.ts [--users 100000] [--rate 200] [--seconds 30]
 *       [--page 1000] [--database postgres://postgres@127.0.0.1:5432/test]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ReplicaPuller, type ReplicaPullerOptions } from '../../src/replication/replica-puller.ts';
import { poolDigest } from '../../src/replication/pool-digest.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { ReplicatedChange, SnapshotCursor, SnapshotRecord, Store } from '../../src/store/store.ts';
import { peakRssMiB } from '../support/load.ts';
import { wallClockMs, type EventLoopDelay, type PrimaryCommand, type PrimaryReply, type PrimarySettings } from './primary-messages.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    page: { type: 'string', default: '1000' },
    database: { type: 'string' },
    'lag-modes': { type: 'string', default: 'long-poll,poll' },
  },
});
const USERS = Number(args.users);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const PAGE = Number(args.page);
const REGION = 'us-east-1';
const CREDENTIAL = { accessKeyId: 'AKIDBENCHREPLICATION', secretAccessKey: randomBytes(20).toString('hex') };

interface LagResult {
  mode: string;
  writes: number;
  achievedPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  primaryLoop: EventLoopDelay;
  secondaryLoop: EventLoopDelay;
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'meridian-bench-replication-'));
  const schemas: string[] = [];
  const databaseUrl = (name: string) => {
    if (!args.database) return undefined;
    const schema = `bench_replication_${name}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(args.database);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
  const rootKey = randomBytes(32);
  const primary = await startPrimary({ dataDir: join(folder, 'primary'), ...optional('databaseUrl', databaseUrl('primary')), users: USERS, rootKey: rootKey.toString('base64'), credential: CREDENTIAL });
  const stores: Store[] = [];
  try {
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, store ${args.database ? 'postgres' : 'sqlite'}`);
    console.log(`primary: ${USERS} users populated through saveUser in ${primary.ready.populateSeconds.toFixed(1)} s (${(USERS / primary.ready.populateSeconds).toFixed(0)} users/s, change-logged, ${primary.ready.lastSequence} changes)`);

    const secondary = await openStore(join(folder, 'secondary'), databaseUrl('secondary'), stores);
    const appliedAt = new Map<number, number>();
    const observed = observeApplies(secondary, appliedAt);
    const pullerOptions: ReplicaPullerOptions = { endpoint: primary.ready.url, region: REGION, credential: CREDENTIAL, poolId: primary.ready.poolId, store: observed, pageSize: PAGE, batchSize: 500 };

    // Copy.
    const copier = new ReplicaPuller(pullerOptions);
    const copyStarted = performance.now();
    await copier.copySnapshot();
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const copied = copier.progress().copiedRecords;
    const [primaryDigest, secondaryDigest] = await Promise.all([primary.digest(), poolDigest(secondary, primary.ready.poolId)]);
    if (primaryDigest !== secondaryDigest) throw new Error('copy differs from the primary');
    console.log(`copy: ${copied} records in ${copySeconds.toFixed(1)} s = ${(copied / copySeconds).toFixed(0)} records/s (page ${PAGE}); digests equal`);

    // Lag.
    const lags: LagResult[] = [];
    for (const mode of args['lag-modes'].split(',').filter(Boolean)) {
      const options: ReplicaPullerOptions = mode === 'poll' ? { ...pullerOptions, idleDelayMs: 1000, waitMs: 0 } : { ...pullerOptions, waitMs: 20_000 };
      lags.push(await measureLag(mode, options, primary, appliedAt));
      const last = lags[lags.length - 1]!;
      console.log(`lag (${mode}): ${last.writes} writes at ${last.achievedPerSecond.toFixed(0)}/s: p50 ${last.p50.toFixed(1)} ms, p99 ${last.p99.toFixed(1)} ms, max ${last.max.toFixed(1)} ms; event-loop delay p99/max: primary ${last.primaryLoop.p99.toFixed(0)}/${last.primaryLoop.max.toFixed(0)} ms, secondary ${last.secondaryLoop.p99.toFixed(0)}/${last.secondaryLoop.max.toFixed(0)} ms`);
    }
    const primaryRss = await peakRssMiB(primary.pid);
    const secondaryRss = await peakRssMiB(process.pid);
    const afterLagDigest = await primary.digest();
    if (afterLagDigest !== (await poolDigest(secondary, primary.ready.poolId))) throw new Error('replica differs from the primary after the lag run');
    await primary.stop();

    // Raw insert rates of the same records.
    const records = await readAll(secondary, primary.ready.poolId);
    const bulk = await rawBulkInsert(await openStore(join(folder, 'raw-bulk'), databaseUrl('raw_bulk'), stores), primary.ready.poolId, records);
    const writePath = await rawWritePathInsert(await openStore(join(folder, 'raw-put'), databaseUrl('raw_put'), stores), primary.ready.poolId, records);
    const raw = Math.max(bulk, writePath);
    const copyRate = copied / copySeconds;
    console.log(`raw insert, same ${records.reduce((sum, page) => sum + page.length, 0)} records: applySnapshotPage ${bulk.toFixed(0)}/s, PoolTransaction.put ${writePath.toFixed(0)}/s`);
    console.log('');
    console.log('| measure | result | goal | met |');
    console.log('|---|---|---|---|');
    console.log(`| initial copy over HTTP | ${copyRate.toFixed(0)} records/s = ${((100 * copyRate) / raw).toFixed(0)}% of raw ${raw.toFixed(0)}/s | ≥ 50% | ${copyRate >= raw / 2 ? 'yes' : 'no'} |`);
    for (const lag of lags) console.log(`| lag p50 / p99 / max, ${lag.mode} | ${lag.p50.toFixed(1)} / ${lag.p99.toFixed(1)} / ${lag.max.toFixed(1)} ms | p99 < 250 ms | ${lag.p99 < 250 ? 'yes' : 'no'} |`);
    console.log(`peak RSS: primary ${primaryRss.toFixed(0)} MiB, secondary (this process, before the raw phase) ${secondaryRss.toFixed(0)} MiB`);
  } finally {
    await primary.stop().catch(() => undefined);
    for (const store of stores) await store.close().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
    if (args.database && schemas.length > 0) await dropSchemas(args.database, schemas);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

async function openStore(dataDir: string, databaseUrl: string | undefined, opened: Store[]): Promise<Store> {
  const store = await createStore({ dataDir, region: REGION, ...optional('databaseUrl', databaseUrl) });
  opened.push(store);
  return store;
}

/** The secondary's store, noting when each primary sequence was applied (after its commit). */
function observeApplies(store: Store, appliedAt: Map<number, number>): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'applyChanges') {
        return async (poolId: string, changes: ReplicatedChange[]) => {
          const applied = await target.applyChanges(poolId, changes);
          const at = wallClockMs();
          for (const change of changes) if (!appliedAt.has(change.sequence)) appliedAt.set(change.sequence, at);
          return applied;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function measureLag(mode: string, options: ReplicaPullerOptions, primary: Primary, appliedAt: Map<number, number>): Promise<LagResult> {
  const puller = new ReplicaPuller(options);
  puller.start();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  try {
    delay.enable();
    const started = wallClockMs();
    const { firstSequence, acknowledgedAt, eventLoopDelay } = await primary.write(RATE, SECONDS);
    const writeSeconds = (wallClockMs() - started) / 1000;
    const lastSequence = firstSequence + acknowledgedAt.length - 1;
    const deadline = wallClockMs() + 60_000;
    while (!appliedAt.has(lastSequence)) {
      if (wallClockMs() > deadline) throw new Error(`replica did not reach sequence ${lastSequence}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const inOrder = acknowledgedAt.map((acknowledged, n) => appliedAt.get(firstSequence + n)! - acknowledged);
    if (process.env.BENCH_LAG_TIMELINE) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.BENCH_LAG_TIMELINE, inOrder.map((lag, n) => `${((acknowledgedAt[n]! - started) / 1000).toFixed(3)} ${lag.toFixed(1)}`).join('\n'));
    }
    const lags = [...inOrder].sort((a, b) => a - b);
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
    delay.disable();
    const secondaryLoop = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    return { mode, writes: lags.length, achievedPerSecond: lags.length / writeSeconds, p50: at(0.5), p99: at(0.99), max: lags[lags.length - 1]!, primaryLoop: eventLoopDelay, secondaryLoop };
  } finally {
    await puller.stop();
  }
}

async function readAll(store: Store, poolId: string): Promise<SnapshotRecord[][]> {
  const pages: SnapshotRecord[][] = [];
  let cursor: SnapshotCursor | null = null;
  do {
    const page = await store.snapshot(poolId, cursor, PAGE);
    if (!page) throw new Error('pool vanished');
    pages.push(page.records);
    cursor = page.next;
  } while (cursor);
  return pages;
}

/** Records/s through createReplicaPool + applySnapshotPage, one page per call. */
async function rawBulkInsert(store: Store, poolId: string, pages: SnapshotRecord[][]): Promise<number> {
  const started = performance.now();
  await store.createReplicaPool({ poolId, wrappedDataKey: randomBytes(60), keyReference: 'service', createdAt: Date.now() }, 1);
  let copied = 0;
  for (const [n, page] of pages.entries()) {
    copied += page.length;
    await store.applySnapshotPage(poolId, page, { complete: n === pages.length - 1, after: null, copiedRecords: copied, totalRecords: copied });
  }
  return copied / ((performance.now() - started) / 1000);
}

/** Records/s through the primary's write path: one transaction per page, PoolTransaction.put each. */
async function rawWritePathInsert(store: Store, poolId: string, pages: SnapshotRecord[][]): Promise<number> {
  const started = performance.now();
  let written = 0;
  for (const [n, page] of pages.entries()) {
    const work = async (tx: Parameters<Parameters<Store['transaction']>[1]>[0]) => {
      for (const record of page) await tx.put(record.kind, record.id, record.payload, record.indexes);
    };
    if (n === 0) await store.createPool({ poolId, wrappedDataKey: randomBytes(60), keyReference: 'service', createdAt: Date.now() }, work);
    else await store.transaction(poolId, work);
    written += page.length;
  }
  return written / ((performance.now() - started) / 1000);
}

interface Primary {
  ready: Extract<PrimaryReply, { type: 'ready' }>;
  pid: number;
  write(perSecond: number, seconds: number): Promise<Omit<Extract<PrimaryReply, { type: 'written' }>, 'type'>>;
  digest(): Promise<string>;
  stop(): Promise<void>;
}

async function startPrimary(settings: PrimarySettings): Promise<Primary> {
  const child: ChildProcess = fork(new URL('./primary-process.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_PRIMARY_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const next = <T extends PrimaryReply['type']>(type: T): Promise<Extract<PrimaryReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: PrimaryReply) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as Extract<PrimaryReply, { type: T }>);
      };
      child.on('message', onMessage);
      void exit.then(() => reject(new Error('primary process exited')));
    });
  const command = (message: PrimaryCommand) => child.send(message);
  const ready = await next('ready');
  return {
    ready,
    pid: child.pid!,
    async write(perSecond, seconds) {
      const written = next('written');
      command({ type: 'write', perSecond, seconds });
      return written;
    },
    async digest() {
      const digest = next('digest');
      command({ type: 'digest' });
      return (await digest).digest;
    },
    async stop() {
      if (exited) return;
      command({ type: 'stop' });
      await exit;
    },
  };
}

async function dropSchemas(databaseUrl: string, schemas: string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

await main();
