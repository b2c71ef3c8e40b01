import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import { registerChangeFeedRoutes, REPLICATION_SIGNING_NAME } from '../../src/replication/change-feed-routes.ts';
import type { ChangesMessage } from '../../src/replication/feed-messages.ts';
import { poolDigest } from '../../src/replication/pool-digest.ts';
import { PeerRegions } from '../../src/replication/peer-client.ts';
import { ReplicaPuller, type ReplicaPullerOptions } from '../../src/replication/replica-puller.ts';
import { ReplicaPullers } from '../../src/replication/replica-pullers.ts';
import type { ReplicatedChange, Store } from '../../src/store/store.ts';
import { signedFetch } from '../../src/wire/signed-fetch.ts';
import { storeBackends, type OpenStore } from '../support/stores.ts';

const REGION = 'us-east-1';
const CREDENTIAL = { accessKeyId: 'AKIDREPLICATION', secretAccessKey: randomBytes(20).toString('hex') };

interface User {
  name: string;
  email: string;
}

function vaultOn(store: Store, rootKey: Buffer): PoolVault {
  const provider = new ServiceKeyProvider(rootKey);
  return new PoolVault(store, new DataKeyCache(() => provider, { ttlMs: 60_000 }));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of storeBackends()) {
  describe(`replica puller: ${backend.name}`, () => {
    // The SAME root key on both sides stands in for the multi-region KMS key of a real deployment.
    const rootKey = randomBytes(32);
    let primaryOpened: OpenStore;
    let replicaOpened: OpenStore;
    let primary: Store;
    let replica: Store;
    let app: FastifyInstance;
    let endpoint: string;
    /** How often the feeds under test have read the change log, and who waits for a count. */
    let changeReads = 0;
    let readWatchers: Array<{ count: number; resolve: () => void }> = [];
    /** When set, the feed's next snapshot read tells `requested` and waits for `release`. */
    let heldSnapshot: { requested: () => void; release: Promise<void> } | null = null;

    before(async () => {
      primaryOpened = await backend.open();
      replicaOpened = await backend.open();
      primary = primaryOpened.store;
      replica = replicaOpened.store;
      // A puller stopped while its request's connection was still opening leaves a socket that
      // never sent a request: Node does not count it idle, and close() would wait for its headers
      // timeout (a minute) unless every connection is closed.
      app = Fastify({ forceCloseConnections: true });
      registerChangeFeedRoutes(app, {
        store: observeReads(primary),
        credentials: (id) => (id === CREDENTIAL.accessKeyId ? { ...CREDENTIAL, principalArn: 'arn:meridian:replication' } : null),
        region: REGION,
      });
      endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
    });

    after(async () => {
      await app?.close();
      await primaryOpened?.dispose();
      await replicaOpened?.dispose();
    });

    function puller(poolId: string, overrides: Partial<ReplicaPullerOptions> = {}): ReplicaPuller {
      return new ReplicaPuller({ endpoint, region: REGION, credential: CREDENTIAL, poolId, store: replica, pageSize: 2, batchSize: 3, idleDelayMs: 10, ...overrides });
    }

    test('copies a pool, resumes after a restart, follows puts, deletes and a key change', async () => {
      const primaryVault = vaultOn(primary, rootKey);
      const provider = new ServiceKeyProvider(rootKey);
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      const clientId = `client${randomBytes(6).toString('hex')}`;
      await primaryVault.createPool(poolId, provider, async (records) => {
        await records.put('client', 'app', { name: 'app' }, [{ name: 'clientId', value: clientId, route: true }]);
        for (let n = 0; n < 7; n++) {
          await records.put<User>('user', `u${n}`, { name: `user ${n}`, email: `u${n}@example.com` }, [{ name: 'email', value: `u${n}@example.com`, unique: true }]);
        }
      });

      // First run: two pages of two records, then the process "dies".
      const first = puller(poolId);
      assert.equal(await first.copySnapshot(2), false);
      assert.equal(first.progress().copiedRecords, 4);
      assert.equal(first.progress().totalRecords, 8);
      const startSequence = (await replica.getPool(poolId))?.appliedSequence;
      assert.equal(startSequence, 8);

      // Writes on the primary while the replica is down, then a new puller finishes the job.
      await primaryVault.write(poolId, async (records) => {
        await records.put<User>('user', 'u1', { name: 'renamed', email: 'u1@example.com' }, [{ name: 'email', value: 'u1@example.com', unique: true }]);
        await records.delete('user', 'u6');
        await records.put<User>('user', 'u9', { name: 'late', email: 'u9@example.com' }, [{ name: 'email', value: 'u9@example.com', unique: true }]);
      });
      const second = puller(poolId);
      const caughtUp = await second.catchUp();
      assert.equal(caughtUp.appliedSequence, 11);
      assert.equal(caughtUp.copiedRecords, 8);
      assert.equal(caughtUp.lagSeconds, 0);
      assert.equal(await poolDigest(replica, poolId), await poolDigest(primary, poolId));

      // More writes, including a re-wrapped data key, followed by the background loop.
      const rewrapped = await primaryVault.rewrapDataKey(poolId, provider);
      await primaryVault.write(poolId, async (records) => {
        await records.replaceWrappedDataKey(rewrapped.wrapped, rewrapped.keyReference);
        await records.delete('user', 'u0');
        await records.put<User>('user', 'u2', { name: 'moved', email: 'new2@example.com' }, [{ name: 'email', value: 'new2@example.com', unique: true }]);
      });
      await primaryVault.write(poolId, (records) => records.put<User>('user', 'u10', { name: 'ten', email: 'u10@example.com' }));
      const background = puller(poolId);
      background.start();
      const target = (await primary.getPool(poolId))!.lastSequence;
      try {
        await waitFor(async () => background.progress().appliedSequence === target);
      } finally {
        await background.stop();
      }

      assert.equal(await poolDigest(replica, poolId), await poolDigest(primary, poolId));
      const replicaPool = await replica.getPool(poolId);
      assert.equal(replicaPool?.role, 'replica');
      assert.equal(replicaPool?.appliedSequence, target);
      assert.deepEqual(replicaPool?.wrappedDataKey, rewrapped.wrapped);
      // Nothing was appended to the replica's own log: no duplicates to ship onwards.
      assert.deepEqual(await replica.readChanges(poolId, 0, 100), []);
      assert.deepEqual(await replica.findRoute('clientId', clientId), { poolId, kind: 'client', id: 'app' });

      // The replica decrypts with its own vault (same root key) and sees what the primary sees.
      const replicaVault = vaultOn(replica, rootKey);
      const read = (vault: PoolVault) =>
        vault.read(poolId, async (records) => ({
          users: (await records.list<User>('user', null, 100)).items,
          byEmail: await records.find<User>('user', 'email', 'new2@example.com'),
          oldEmail: await records.find<User>('user', 'email', 'u2@example.com'),
        }));
      const seen = await read(replicaVault);
      assert.deepEqual(seen, await read(primaryVault));
      assert.deepEqual(seen.byEmail, { id: 'u2', value: { name: 'moved', email: 'new2@example.com' } });
      assert.equal(seen.oldEmail, null);
      assert.deepEqual(seen.users.map((user) => user.id), ['u1', 'u10', 'u2', 'u3', 'u4', 'u5', 'u9']);
    });

    /**
     * The store as a feed under test sees it: counts its reads of the change log, so a test can tell
     * that a request has read the log and found nothing, i.e. is about to be held.
     */
    function observeReads(store: Store): Store {
      return new Proxy(store, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property === 'snapshot' && typeof value === 'function') {
            return async (...args: Parameters<Store['snapshot']>) => {
              const held = heldSnapshot;
              heldSnapshot = null;
              if (held) {
                held.requested();
                await held.release;
              }
              return target.snapshot(...args);
            };
          }
          if (property !== 'readChanges' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<Store['readChanges']>) => {
            const changes = await target.readChanges(...args);
            changeReads += 1;
            const due = readWatchers.filter((watcher) => watcher.count <= changeReads);
            readWatchers = readWatchers.filter((watcher) => watcher.count > changeReads);
            for (const watcher of due) watcher.resolve();
            return changes;
          };
        },
      });
    }

    /** Resolves once the feeds have read the log `count` times in all, after the microtasks that follow. */
    function feedReads(count: number): Promise<void> {
      const reached = count <= changeReads ? Promise.resolve() : new Promise<void>((resolve) => readWatchers.push({ count, resolve }));
      return reached.then(() => new Promise((resolve) => setImmediate(resolve)));
    }

    async function caughtUpReplica(): Promise<{ poolId: string; vault: PoolVault }> {
      const vault = vaultOn(primary, rootKey);
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      await vault.createPool(poolId, new ServiceKeyProvider(rootKey), (records) => records.put<User>('user', 'u0', { name: 'zero', email: 'u0@example.com' }));
      await puller(poolId).catchUp();
      return { poolId, vault };
    }

    // Each long-poll below asks for the feed's longest wait (30 s) under a 20 s test timeout: the
    // test can only pass if the request is answered by the event, never by its wait running out.
    test('a held changes request is answered when a change commits', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      const follower = puller(poolId);
      const read = feedReads(changeReads + 1);
      const pulled = follower.pullChanges({ waitMs: 30_000 });
      await read;
      await vault.write(poolId, (records) => records.put<User>('user', 'u1', { name: 'one', email: 'u1@example.com' }));
      assert.equal(await pulled, 1);
      assert.equal(follower.progress().appliedSequence, (await primary.getPool(poolId))!.lastSequence);
    });

    test('a held changes request with nothing to send is answered empty after waitMs', async () => {
      const { poolId } = await caughtUpReplica();
      const before = (await replica.getPool(poolId))!.appliedSequence;
      assert.equal(await puller(poolId).pullChanges({ waitMs: 20 }), 0);
      assert.equal((await replica.getPool(poolId))!.appliedSequence, before);
    });

    test('the running puller long-polls: writes arrive without its idle delay, none lost or applied twice', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      const received: number[] = [];
      const observedReplica = new Proxy(replica, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property !== 'applyChanges') return typeof value === 'function' ? value.bind(target) : value;
          return (id: string, changes: ReplicatedChange[]) => {
            received.push(...changes.map((change) => change.sequence));
            return target.applyChanges(id, changes);
          };
        },
      });
      const start = (await replica.getPool(poolId))!.appliedSequence!;
      // An idle delay far beyond the test's timeout: only a held request can deliver in time.
      const follower = puller(poolId, { store: observedReplica, idleDelayMs: 600_000, waitMs: 30_000, batchSize: 4 });
      follower.start();
      try {
        for (let round = 1; round <= 5; round++) {
          await vault.write(poolId, async (records) => {
            for (let n = 0; n < round; n++) await records.put<User>('user', `r${round}-${n}`, { name: `r${round}`, email: `r${round}-${n}@example.com` });
          });
          const target = (await primary.getPool(poolId))!.lastSequence;
          await waitFor(async () => follower.progress().appliedSequence === target);
        }
      } finally {
        await follower.stop();
      }
      const last = (await primary.getPool(poolId))!.lastSequence;
      assert.deepEqual(received, Array.from({ length: last - start }, (_, n) => start + 1 + n));
      assert.equal((await replica.getPool(poolId))!.appliedSequence, last);
      assert.equal(await poolDigest(replica, poolId), await poolDigest(primary, poolId));
    });

    test('following, a round reads no pool entry; a restarted loop reads the store and resumes from it', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      let poolReads = 0;
      const counted = new Proxy(replica, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property !== 'getPool') return typeof value === 'function' ? value.bind(target) : value;
          return (id: string) => {
            if (id === poolId) poolReads += 1;
            return target.getPool(id);
          };
        },
      });
      const follower = puller(poolId, { store: counted, waitMs: 30_000 });
      const writeAndFollow = async (name: string) => {
        await vault.write(poolId, (records) => records.put<User>('user', name, { name, email: `${name}@example.com` }));
        const target = (await primary.getPool(poolId))!.lastSequence;
        await waitFor(async () => follower.progress().appliedSequence === target);
      };
      follower.start();
      try {
        for (let round = 1; round <= 5; round++) await writeAndFollow(`r${round}`);
      } finally {
        await follower.stop();
      }
      assert.equal(poolReads, 1, 'read when the loop started, not once per round');

      // Written while the loop is stopped, and the replica's store moved on meanwhile (another
      // puller applied some of it): the restarted loop starts from what the store holds.
      await vault.write(poolId, (records) => records.put<User>('user', 'stopped', { name: 'stopped', email: 'stopped@example.com' }));
      await puller(poolId).pullChanges();
      follower.start();
      try {
        await writeAndFollow('restarted');
      } finally {
        await follower.stop();
      }
      assert.equal(poolReads, 2);
      assert.equal(await poolDigest(replica, poolId), await poolDigest(primary, poolId));
    });

    test('a replica deleted here while its puller follows it: the next change ends the loop, nothing is copied back', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      const errors: Error[] = [];
      let noticed!: () => void;
      const deleted = new Promise<void>((resolve) => (noticed = resolve));
      const follower = puller(poolId, { idleDelayMs: 600_000, waitMs: 30_000, onDeleted: noticed, onError: (error) => errors.push(error) });
      // Caught up already: the first round reads nothing at once, the second is held.
      const held = feedReads(changeReads + 2);
      follower.start();
      try {
        await held;
        assert.equal(await replica.deletePool(poolId), true);
        await vault.write(poolId, (records) => records.put<User>('user', 'marker', { name: 'marker', email: 'marker@example.com' }));
        await deleted;
      } finally {
        await follower.stop();
      }
      assert.equal(await replica.getPool(poolId), null);
      assert.deepEqual(errors, []);
    });

    test("the region's pullers forget a puller whose replica another worker deleted, and report it once", { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      const reported: string[] = [];
      let noticed!: () => void;
      const deleted = new Promise<void>((resolve) => (noticed = resolve));
      const pullers = new ReplicaPullers({
        store: replica,
        peers: new PeerRegions({ [REGION]: { endpoint, ...CREDENTIAL } }),
        onDeleted: (id) => {
          reported.push(id);
          noticed();
        },
      });
      const held = feedReads(changeReads + 2);
      pullers.start(poolId);
      try {
        await held;
        assert.equal(await replica.deletePool(poolId), true);
        await vault.write(poolId, (records) => records.put<User>('user', 'marker', { name: 'marker', email: 'marker@example.com' }));
        await deleted;
        assert.deepEqual(pullers.poolIds(), []);
        // The adoption pass (other tests' replicas left aside), or a deletion finishing here, finds
        // nothing to stop or adopt.
        assert.deepEqual(await pullers.resumeAll(async (id) => id === poolId), []);
        await pullers.stop(poolId);
      } finally {
        await pullers.close();
      }
      assert.deepEqual(reported, [poolId]);
      assert.equal(await replica.getPool(poolId), null);
    });

    test('the adoption pass leaves alone a puller whose first page is still being copied (CreateUserPoolReplica here)', { timeout: 20_000 }, async () => {
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      await vaultOn(primary, rootKey).createPool(poolId, new ServiceKeyProvider(rootKey), (records) => records.put<User>('user', 'u0', { name: 'zero', email: 'u0@example.com' }));
      const pullers = new ReplicaPullers({ store: replica, peers: new PeerRegions({ [REGION]: { endpoint, ...CREDENTIAL } }) });
      let release!: () => void;
      const requested = new Promise<void>((resolve) => {
        heldSnapshot = { requested: resolve, release: new Promise<void>((done) => (release = done)) };
      });
      try {
        // As startReplica does: a puller created, not started, copying the first page.
        const copying = pullers.pullerFor(poolId).copySnapshot(1);
        await requested;
        // The leader's pass runs while the page is on its way, before the pool exists here.
        assert.equal(await replica.getPool(poolId), null);
        await pullers.resumeAll(async () => true);
        release();
        await copying;
        assert.ok(await replica.getPool(poolId), 'the copy went through');
      } finally {
        release?.();
        await pullers.close();
      }
    });

    test('the adoption pass leaves alone a puller started while it was listing', { timeout: 20_000 }, async () => {
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      await vaultOn(primary, rootKey).createPool(poolId, new ServiceKeyProvider(rootKey), (records) => records.put<User>('user', 'u0', { name: 'zero', email: 'u0@example.com' }));
      // The listing reads the store at once but answers only when released: the pool is not in it.
      let listed!: () => void;
      let release!: () => void;
      const read = new Promise<void>((resolve) => (listed = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const store = new Proxy(replica, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property === 'listReplicaPools') {
            return async (...args: Parameters<Store['listReplicaPools']>) => {
              const page = await target.listReplicaPools(...args);
              listed();
              await released;
              return page;
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const pullers = new ReplicaPullers({ store, peers: new PeerRegions({ [REGION]: { endpoint, ...CREDENTIAL } }) });
      try {
        const pass = pullers.resumeAll(async () => true);
        await read;
        // A CreateUserPoolReplica here finishes meanwhile: first page copied, puller started.
        await pullers.pullerFor(poolId).copySnapshot(1);
        pullers.start(poolId);
        release();
        await pass;
        assert.deepEqual(pullers.poolIds().filter((id) => id === poolId), [poolId], 'still followed');
      } finally {
        release();
        await pullers.close();
      }
    });

    test('told the store changed under it (the replica deleted and created again), a following puller finishes the new copy', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      await vault.write(poolId, async (records) => {
        for (let n = 1; n <= 6; n++) await records.put<User>('user', `u${n}`, { name: `user ${n}`, email: `u${n}@example.com` });
      });
      await puller(poolId).catchUp();
      const follower = puller(poolId, { waitMs: 30_000 });
      const held = feedReads(changeReads + 2);
      follower.start();
      try {
        await held;
        // Another worker deletes the replica and starts a new one, copying its first page only.
        await replica.deletePool(poolId);
        assert.equal(await puller(poolId).copySnapshot(1), false);
        follower.recheckStore();
        await vault.write(poolId, (records) => records.put<User>('user', 'marker', { name: 'marker', email: 'marker@example.com' }));
        const target = (await primary.getPool(poolId))!.lastSequence;
        await waitFor(async () => {
          const local = await replica.getPool(poolId);
          return local?.snapshotProgress?.complete === true && local.appliedSequence === target;
        });
      } finally {
        await follower.stop();
      }
      assert.equal(await poolDigest(replica, poolId), await poolDigest(primary, poolId));
    });

    test('stop() ends a held long-poll at once', { timeout: 20_000 }, async () => {
      const { poolId } = await caughtUpReplica();
      const follower = puller(poolId, { idleDelayMs: 600_000, waitMs: 30_000 });
      // Caught up already: the first round reads nothing at once, the second is held.
      const held = feedReads(changeReads + 2);
      follower.start();
      await held;
      await follower.stop();
      assert.equal(follower.progress().lastError, null);
    });

    test('closing the feed answers held requests', { timeout: 20_000 }, async () => {
      const { poolId } = await caughtUpReplica();
      const closing = Fastify();
      registerChangeFeedRoutes(closing, {
        store: observeReads(primary),
        credentials: (id) => (id === CREDENTIAL.accessKeyId ? { ...CREDENTIAL, principalArn: 'arn:meridian:replication' } : null),
        region: REGION,
      });
      const closingEndpoint = await closing.listen({ port: 0, host: '127.0.0.1' });
      const read = feedReads(changeReads + 1);
      const held = puller(poolId, { endpoint: closingEndpoint }).pullChanges({ waitMs: 30_000 });
      await read;
      await closing.close();
      assert.equal(await held, 0);
    });

    test('a held request keeps its place while it re-reads the log; a request the full feed does not hold is told so', { timeout: 20_000 }, async () => {
      const { poolId, vault } = await caughtUpReplica();
      const after = (await primary.getPool(poolId))!.lastSequence;
      // The feed's second read of the log is the held request's first re-read: it waits for `reopen`,
      // so another request can arrive exactly while the held one is between two waits.
      let started = 0;
      let completed = 0;
      let reopen!: () => void;
      const reopened = new Promise<void>((resolve) => (reopen = resolve));
      const gated = new Proxy(primary, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property !== 'readChanges') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<Store['readChanges']>) => {
            started += 1;
            if (started === 2) await reopened;
            try {
              return await target.readChanges(...args);
            } finally {
              completed += 1;
            }
          };
        },
      });
      const metrics = new Registry();
      const feed = Fastify();
      registerChangeFeedRoutes(feed, {
        store: gated,
        credentials: (id) => (id === CREDENTIAL.accessKeyId ? { ...CREDENTIAL, principalArn: 'arn:meridian:replication' } : null),
        region: REGION,
        longPoll: { maximumWaiters: 1, recheckMs: 20 },
        metrics,
      });
      const feedEndpoint = await feed.listen({ port: 0, host: '127.0.0.1' });
      const changesAfter = async (sequence: number): Promise<ChangesMessage> => {
        const query = { after: String(sequence), waitMs: '30000' };
        const response = await signedFetch({ endpoint: feedEndpoint, method: 'GET', path: `/replication/pools/${poolId}/changes`, query, region: REGION, service: REPLICATION_SIGNING_NAME, credentials: CREDENTIAL });
        assert.equal(response.status, 200);
        return (await response.json()) as ChangesMessage;
      };
      try {
        const first = changesAfter(after);
        await waitFor(async () => started === 2);
        const second = changesAfter(after);
        await waitFor(async () => completed === 2);
        reopen();
        await vault.write(poolId, (records) => records.put<User>('user', 'u1', { name: 'one', email: 'u1@example.com' }));
        const [held, notHeld] = await Promise.all([first, second]);
        assert.deepEqual(held.changes.map((change) => change.sequence), [after + 1]);
        assert.equal(held.waitMs, 30_000);
        assert.deepEqual(notHeld.changes, []);
        assert.equal(notHeld.waitMs, 0, 'answered at once: the answer must not claim it was held');
        const counted = await metrics.getSingleMetric('meridian_replication_long_polls_total')!.get();
        assert.deepEqual(Object.fromEntries(counted.values.map((value) => [value.labels.answer, value.value])), { held: 1, at_once: 1 });
      } finally {
        reopen();
        await feed.close();
      }
    });

    test('the feed answers 403 unsigned, 404 unknown pools, 400 bad parameters', async () => {
      const unsigned = await fetch(`${endpoint}/replication/pools/us-east-1_abc/changes`);
      assert.equal(unsigned.status, 403);
      const missing = puller('us-east-1_nosuchpool');
      await assert.rejects(missing.copySnapshot(), (error: Error & { status?: number }) => error.status === 404);
      await assert.rejects(puller('us-east-1_x', { pageSize: 5000 }).copySnapshot(), (error: Error & { status?: number }) => error.status === 400);
      await assert.rejects(puller('bad pool id').copySnapshot(), (error: Error & { status?: number }) => error.status === 400);
      const { poolId } = await caughtUpReplica();
      await assert.rejects(puller(poolId).pullChanges({ waitMs: 30_001 }), (error: Error & { status?: number; type?: string }) => error.status === 400 && error.type === 'InvalidParameterException');
      const errors: Error[] = [];
      const failing = puller('us-east-1_nosuchpool', { onError: (error) => errors.push(error), idleDelayMs: 5 });
      failing.start();
      await waitFor(async () => errors.length >= 2);
      await failing.stop();
      assert.equal(await replica.getPool('us-east-1_nosuchpool'), null);
    });
  });
}
