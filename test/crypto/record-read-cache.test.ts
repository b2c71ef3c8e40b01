import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import type { PoolKeys } from '../../src/crypto/pool-keys.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { RecordReadCache } from '../../src/crypto/record-read-cache.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import type { PoolTransaction, Store } from '../../src/store/store.ts';
import { storesSharingOneDatabase } from '../support/stores.ts';

/**
 * The read cache must never answer with what the store no longer holds: a change committed
 * through another connection to the same database (another worker of the region, another server
 * on the same PostgreSQL) is seen by the very next read, and what a caller does to a value it got
 * does not reach the next caller. Each backend, each kind of cached read.
 */

interface TwoConnections {
  /** The process under test: a vault with the read cache, over a store that counts record reads. */
  cached: PoolVault;
  /** Another process sharing the database: its own store connection, no cache. */
  other: PoolVault;
  storeReads(): number;
  keyCache: DataKeyCache;
  dispose(): Promise<void>;
}

const provider = new ServiceKeyProvider(randomBytes(32));

async function connect(backend: 'sqlite' | 'postgres'): Promise<TwoConnections> {
  const shared = await storesSharingOneDatabase(backend, 2, 'meridian-read-cache-');
  const [first, second] = shared.stores as [Store, Store];
  const counted = countingReads(first);
  const keyCache = new DataKeyCache(() => provider, { ttlMs: 60_000 });
  return {
    cached: new PoolVault(counted.store, keyCache, new RecordReadCache()),
    other: new PoolVault(second, new DataKeyCache(() => provider, { ttlMs: 60_000 })),
    storeReads: counted.reads,
    keyCache,
    dispose: shared.dispose,
  };
}

/** The store with every record read of its read views counted. */
function countingReads(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const count = (tx: PoolTransaction): PoolTransaction =>
    new Proxy(tx, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'get' || property === 'findIds' || property === 'listByIndex') reads += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'read') return <T>(poolId: string, work: (tx: PoolTransaction) => Promise<T>) => target.read(poolId, (tx) => work(count(tx)));
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, reads: () => reads };
}

const KIND = 'thing';
const lookup = (value: string) => [{ name: 'label', value }];

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`record read cache (${backend})`, () => {
    let db: TwoConnections;
    let poolId: string;
    before(async () => {
      db = await connect(backend);
      poolId = `us-east-1_${randomBytes(6).toString('hex')}`;
      await db.other.createPool(poolId, provider, async (records) => records.put(KIND, 'a', { n: 1 }, lookup('first')));
    });
    after(async () => {
      await db.dispose();
    });

    test('an unchanged pool is answered from memory', async () => {
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 1 });
      const before = db.storeReads();
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 1 });
      assert.equal(db.storeReads(), before);
    });

    test("another connection's committed change is seen by the next read", async () => {
      await db.cached.read(poolId, (records) => records.get(KIND, 'a'));
      await db.other.write(poolId, (records) => records.put(KIND, 'a', { n: 2 }, lookup('first')));
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 2 });
    });

    test('a cached absence ends when the record is created elsewhere', async () => {
      assert.equal(await db.cached.read(poolId, (records) => records.get(KIND, 'b')), null);
      await db.other.write(poolId, (records) => records.put(KIND, 'b', { n: 10 }, lookup('second')));
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'b')), { n: 10 });
    });

    test('look-ups and lists follow a changed lookup value and a deletion', async () => {
      assert.equal((await db.cached.read(poolId, (records) => records.find(KIND, 'label', 'second')))?.id, 'b');
      const listed = await db.cached.read(poolId, (records) => records.listByLookup(KIND, 'label', 'second', null, 10));
      assert.deepEqual(listed.items, [{ id: 'b', value: { n: 10 } }]);
      await db.other.write(poolId, (records) => records.put(KIND, 'b', { n: 11 }, lookup('renamed')));
      assert.equal(await db.cached.read(poolId, (records) => records.find(KIND, 'label', 'second')), null);
      assert.deepEqual((await db.cached.read(poolId, (records) => records.listByLookup(KIND, 'label', 'renamed', null, 10))).items, [{ id: 'b', value: { n: 11 } }]);
      await db.other.write(poolId, (records) => records.delete(KIND, 'b'));
      assert.deepEqual(await db.cached.read(poolId, (records) => records.findIds(KIND, 'label', 'renamed')), []);
      assert.equal(await db.cached.read(poolId, (records) => records.get(KIND, 'b')), null);
    });

    test('public-value look-ups are answered from memory and follow a changed value and a deletion', async () => {
      await db.other.write(poolId, (records) => records.put(KIND, 'c', { n: 20 }, lookup('orders')));
      const find = (value: string) => db.cached.read(poolId, (records) => records.findByPublicValue(KIND, 'label', value));
      assert.deepEqual(await find('orders'), { id: 'c', value: { n: 20 } });
      const before = db.storeReads();
      assert.deepEqual(await find('orders'), { id: 'c', value: { n: 20 } });
      assert.equal(db.storeReads(), before);
      assert.equal(await find('no-such-label'), null);
      await db.other.write(poolId, (records) => records.put(KIND, 'c', { n: 21 }, lookup('invoices')));
      assert.equal(await find('orders'), null);
      assert.deepEqual(await find('invoices'), { id: 'c', value: { n: 21 } });
      await db.other.write(poolId, (records) => records.delete(KIND, 'c'));
      assert.equal(await find('invoices'), null);
    });

    test("a caller cannot change what it got under the next caller", async () => {
      const first = await db.cached.read(poolId, (records) => records.get<{ n: number; nested?: { m: number } }>(KIND, 'a'));
      assert.throws(() => {
        first!.n = 999;
      }, TypeError);
      assert.ok(Object.isFrozen(first));
      const page = await db.cached.read(poolId, (records) => records.listByLookup<{ n: number }>(KIND, 'label', 'first', null, 10));
      assert.throws(() => {
        page.items[0]!.value.n = 999;
      }, TypeError);
      const ids = await db.cached.read(poolId, (records) => records.findIds(KIND, 'label', 'first'));
      ids.push('intruder');
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 2 });
      assert.deepEqual(await db.cached.read(poolId, (records) => records.findIds(KIND, 'label', 'first')), ['a']);
    });

    test('entries die with the pool key: once the key cache lets it go, records are read and decrypted again', async () => {
      await db.cached.read(poolId, (records) => records.get(KIND, 'a'));
      db.keyCache.forget(poolId);
      const before = db.storeReads();
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 2 });
      assert.equal(db.storeReads(), before + 1);
    });

    test('writes never read from the cache (a transaction sees its own changes)', async () => {
      await db.cached.read(poolId, (records) => records.get(KIND, 'a'));
      const seen = await db.cached.write(poolId, async (records) => {
        await records.put(KIND, 'a', { n: 3 }, lookup('first'));
        return records.get(KIND, 'a');
      });
      assert.deepEqual(seen, { n: 3 });
      assert.deepEqual(await db.cached.read(poolId, (records) => records.get(KIND, 'a')), { n: 3 });
    });
  });
}

test('the cache holds at most its bound, dropping the least recently used', async () => {
  const cache = new RecordReadCache({ maxEntries: 2 });
  const keys: PoolKeys = { recordKey: randomBytes(32), indexKey: randomBytes(32), tokenKey: randomBytes(32) };
  const view = cache.view('p', 'v1', keys);
  view.remember('a', 'A', 1);
  view.remember('b', 'B', 1);
  assert.equal(view.lookup('a'), 'A');
  view.remember('c', 'C', 1);
  assert.equal(cache.size, 2);
  assert.equal(view.lookup('b'), undefined);
  assert.equal(view.lookup('a'), 'A');
  assert.equal(cache.view('p', 'v2', keys).lookup('a'), undefined);
});

test('the cache is bounded in bytes and in age, and forgets a deleted pool', () => {
  let now = 0;
  const keys: PoolKeys = { recordKey: randomBytes(32), indexKey: randomBytes(32), tokenKey: randomBytes(32) };
  const cache = new RecordReadCache({ maxBytes: 64 * 1024, maxAgeMs: 1_000, now: () => now });
  const view = cache.view('p', 'v1', keys);
  const kilobyte = 'x'.repeat(512);
  for (let i = 0; i < 100; i += 1) view.remember(`k${i}`, kilobyte, kilobyte.length);
  assert.ok(cache.sizeInBytes <= 64 * 1024, `${cache.sizeInBytes} bytes kept`);
  assert.equal(view.lookup('k0'), undefined);
  assert.equal(view.lookup('k99'), kilobyte);
  // Too big for the budget: not kept at all, nothing else evicted for it.
  const before = cache.size;
  view.remember('huge', 'y'.repeat(16 * 1024), 16 * 1024);
  assert.equal(view.lookup('huge'), undefined);
  assert.equal(cache.size, before);

  now = 1_000;
  assert.equal(view.lookup('k99'), undefined, 'expired');
  view.remember('fresh', 'z', 1);
  assert.ok(cache.size <= before, 'expired entries at the old end went on the way');

  const other = cache.view('q', 'v1', keys);
  other.remember('a', 'A', 1);
  cache.forgetPool('p');
  assert.equal(view.lookup('fresh'), undefined);
  assert.equal(other.lookup('a'), 'A');
  cache.forgetPool('q');
  assert.equal(cache.size, 0);
  assert.equal(cache.sizeInBytes, 0);
});

test('a version never comes back with other contents: every change replaces the pool revision', async () => {
  for (const backend of ['sqlite', 'postgres'] as const) {
    const db = await connect(backend);
    try {
      const poolId = `us-east-1_${randomBytes(6).toString('hex')}`;
      await db.other.createPool(poolId, provider, async (records) => records.put(KIND, 'a', { n: 1 }));
      const store = (db.other as unknown as { store: Store }).store;
      const seen = new Set([await store.poolVersion(poolId)]);
      for (let i = 0; i < 3; i += 1) {
        await db.other.write(poolId, (records) => records.put(KIND, 'a', { n: i }));
        seen.add(await store.poolVersion(poolId));
      }
      assert.equal(seen.size, 4, backend);
      assert.ok([...seen].every((version) => version !== null && /^[0-9a-f-]{36}:/.test(version)), backend);
    } finally {
      await db.dispose();
    }
  }
});
