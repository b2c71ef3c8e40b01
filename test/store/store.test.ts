import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { createStore } from '../../src/store/create-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import {
  POOL_KEY_CHANGE_KIND,
  PoolAlreadyExists,
  PoolMissing,
  UniqueIndexViolation,
  type ChangeEntry,
  type IndexEntry,
  type Store,
} from '../../src/store/store.ts';
import { dropPostgresSchema, postgresTestUrl, storeBackends, uniquePostgresSchema, type OpenStore } from '../support/stores.ts';

const USER = 'user';

function newPoolId(): string {
  return `us-east-1_${randomBytes(5).toString('hex')}`;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function unique(name: string, digest: string): IndexEntry {
  return { name, digest, unique: true };
}

function shared(name: string, digest: string): IndexEntry {
  return { name, digest, unique: false };
}

async function createEmptyPool(store: Store, poolId = newPoolId()): Promise<string> {
  await store.createPool({ poolId, wrappedDataKey: bytes('wrapped-key-1'), keyReference: 'service', createdAt: 1_000 }, async () => undefined);
  return poolId;
}

/** Creates a pool holding `alice` (username + email unique, group shared) and `bob` (username unique). */
async function createPoolWithUsers(store: Store): Promise<string> {
  const poolId = await createEmptyPool(store);
  await store.transaction(poolId, async (tx) => {
    await tx.put(USER, 'alice', bytes('alice-v1'), [unique('username', 'd-alice'), unique('email', 'd-mail-a'), shared('group', 'd-admins')]);
    await tx.put(USER, 'bob', bytes('bob-v1'), [unique('username', 'd-bob')]);
  });
  return poolId;
}

async function allChanges(store: Store, poolId: string): Promise<ChangeEntry[]> {
  return store.readChanges(poolId, 0, 10_000);
}

function sequencesOf(changes: ChangeEntry[]): number[] {
  return changes.map((change) => change.sequence);
}

function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, index) => index + 1);
}

for (const backend of storeBackends()) {
  describe(`store contract: ${backend.name}`, () => {
    let opened: OpenStore;
    let store: Store;

    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });

    after(async () => {
      await opened?.dispose();
    });

    test('reports its backend', () => {
      assert.equal(store.backend, backend.name);
    });

    test('migrate is idempotent', async () => {
      const poolId = await createPoolWithUsers(store);
      await store.migrate();
      await store.migrate();
      assert.equal((await store.read(poolId, (tx) => tx.get(USER, 'alice')))?.payload.toString(), 'alice-v1');
    });

    test('createPool records the pool entry', async () => {
      const poolId = newPoolId();
      const wrappedDataKey = randomBytes(60);
      const result = await store.createPool({ poolId, wrappedDataKey, keyReference: 'service', createdAt: 1_700_000_000_123 }, async (tx) => {
        assert.equal(tx.poolId, poolId);
        await tx.put('config', 'settings', bytes('{}'), []);
        return 'created';
      });
      assert.equal(result, 'created');
      assert.deepEqual(await store.getPool(poolId), {
        poolId,
        wrappedDataKey,
        keyReference: 'service',
        lastSequence: 1,
        createdAt: 1_700_000_000_123,
      });
      assert.equal(await store.getPool(newPoolId()), null);
    });

    test('listPools pages in id order', async () => {
      const prefix = `list-${randomBytes(4).toString('hex')}`;
      const ids = ['c', 'a', 'b'].map((suffix) => `${prefix}-${suffix}`);
      for (const id of ids) await createEmptyPool(store, id);
      const firstPage = await store.listPools(`${prefix}-`, 2);
      assert.deepEqual(firstPage.map((pool) => pool.poolId), [`${prefix}-a`, `${prefix}-b`]);
      const secondPage = (await store.listPools(firstPage[1]!.poolId, 10)).filter((pool) => pool.poolId.startsWith(prefix));
      assert.deepEqual(secondPage.map((pool) => pool.poolId), [`${prefix}-c`]);
    });

    test('listReplicaPools pages through the replica pools alone, in id order', async () => {
      const prefix = `replicas-${randomBytes(4).toString('hex')}`;
      for (const suffix of ['b', 'd']) await createEmptyPool(store, `${prefix}-${suffix}`);
      for (const suffix of ['c', 'a', 'e']) {
        await store.createReplicaPool({ poolId: `${prefix}-${suffix}`, wrappedDataKey: Buffer.from('key'), keyReference: 'service', createdAt: 5 }, 0);
      }
      const ours = (entries: Array<{ poolId: string }>) => entries.map((entry) => entry.poolId).filter((poolId) => poolId.startsWith(prefix));
      const firstPage = await store.listReplicaPools(`${prefix}-`, 2);
      assert.deepEqual(ours(firstPage), [`${prefix}-a`, `${prefix}-c`]);
      assert.ok(firstPage.every((entry) => entry.role === 'replica'));
      assert.deepEqual(ours(await store.listReplicaPools(firstPage[1]!.poolId, 10)), [`${prefix}-e`]);
    });

    test('put, get, list, count, findIds and listByIndex', async () => {
      const poolId = await createEmptyPool(store);
      await store.transaction(poolId, async (tx) => {
        for (const id of ['u3', 'u1', 'u5', 'u2', 'u4']) {
          const group = id === 'u2' || id === 'u4' || id === 'u5' ? 'd-admins' : 'd-users';
          await tx.put(USER, id, bytes(`payload-${id}`), [unique('username', `d-${id}`), shared('group', group)]);
        }
        await tx.put('group', 'admins', bytes('group'), [shared('group', 'd-admins')]);
        // Reads inside the transaction see its own writes.
        assert.equal(await tx.count(USER), 5);
        assert.equal((await tx.get(USER, 'u3'))?.payload.toString(), 'payload-u3');
      });

      await store.read(poolId, async (tx) => {
        assert.deepEqual(await tx.get(USER, 'u1'), { kind: USER, id: 'u1', payload: bytes('payload-u1') });
        assert.equal(await tx.get(USER, 'nobody'), null);
        assert.equal(await tx.get('group', 'u1'), null);
        assert.equal(await tx.count(USER), 5);
        assert.equal(await tx.count('group'), 1);
        assert.equal(await tx.count('client'), 0);

        const first = await tx.list(USER, null, 2);
        assert.deepEqual(first.records.map((record) => record.id), ['u1', 'u2']);
        assert.equal(first.nextAfter, 'u2');
        const second = await tx.list(USER, first.nextAfter, 2);
        assert.deepEqual(second.records.map((record) => record.id), ['u3', 'u4']);
        const last = await tx.list(USER, second.nextAfter, 2);
        assert.deepEqual(last.records.map((record) => record.id), ['u5']);
        assert.equal(last.nextAfter, null);
        // A page that ends exactly at the last record says there is no next one.
        assert.equal((await tx.list(USER, null, 5)).nextAfter, null);

        assert.deepEqual(await tx.findIds(USER, 'username', 'd-u4'), ['u4']);
        assert.deepEqual(await tx.findIds(USER, 'group', 'd-admins'), ['u2', 'u4', 'u5']);
        assert.deepEqual(await tx.findIds(USER, 'group', 'd-admins', 2), ['u2', 'u4']);
        assert.deepEqual(await tx.findIds('group', 'group', 'd-admins'), ['admins']);
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-u4'), []);

        const byIndex = await tx.listByIndex(USER, 'group', 'd-admins', null, 2);
        assert.deepEqual(byIndex.records, [
          { kind: USER, id: 'u2', payload: bytes('payload-u2') },
          { kind: USER, id: 'u4', payload: bytes('payload-u4') },
        ]);
        assert.equal(byIndex.nextAfter, 'u4');
        const byIndexRest = await tx.listByIndex(USER, 'group', 'd-admins', byIndex.nextAfter, 2);
        assert.deepEqual(byIndexRest.records.map((record) => record.id), ['u5']);
        assert.equal(byIndexRest.nextAfter, null);
      });
    });

    test('records are per pool', async () => {
      const poolA = await createPoolWithUsers(store);
      const poolB = await createEmptyPool(store);
      // The same unique digest is free in another pool.
      await store.transaction(poolB, (tx) => tx.put(USER, 'alice-b', bytes('b'), [unique('username', 'd-alice')]));
      await store.read(poolB, async (tx) => {
        assert.equal(await tx.get(USER, 'alice'), null);
        assert.equal(await tx.count(USER), 1);
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-alice'), ['alice-b']);
      });
      assert.deepEqual(await store.read(poolA, (tx) => tx.findIds(USER, 'username', 'd-alice')), ['alice']);
    });

    test('ids list in byte order on both backends', async () => {
      const poolId = await createEmptyPool(store);
      const ids = ['b', 'B', 'a', 'A', '_', '0', 'é', 'z'];
      await store.transaction(poolId, async (tx) => {
        for (const id of ids) await tx.put(USER, id, bytes(id), [shared('all', 'd')]);
      });
      const byteOrder = [...ids].sort((left, right) => Buffer.compare(bytes(left), bytes(right)));
      await store.read(poolId, async (tx) => {
        assert.deepEqual((await tx.list(USER, null, 100)).records.map((record) => record.id), byteOrder);
        assert.deepEqual(await tx.findIds(USER, 'all', 'd'), byteOrder);
        assert.deepEqual((await tx.list(USER, 'Z', 100)).records.map((record) => record.id), byteOrder.filter((id) => id > 'Z'));
      });
    });

    test('put replaces the payload and the indexes of a record', async () => {
      const poolId = await createPoolWithUsers(store);
      await store.transaction(poolId, (tx) => tx.put(USER, 'alice', bytes('alice-v2'), [unique('username', 'd-alice'), unique('email', 'd-mail-new')]));
      await store.read(poolId, async (tx) => {
        assert.equal((await tx.get(USER, 'alice'))?.payload.toString(), 'alice-v2');
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-mail-a'), []);
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-mail-new'), ['alice']);
        assert.deepEqual(await tx.findIds(USER, 'group', 'd-admins'), []);
      });
      // The released unique digest can now be taken by someone else.
      await store.transaction(poolId, (tx) => tx.put(USER, 'carol', bytes('carol'), [unique('email', 'd-mail-a')]));
    });

    test('unique indexes are per kind, and shared digests may repeat', async () => {
      const poolId = await createPoolWithUsers(store);
      await store.transaction(poolId, async (tx) => {
        await tx.put('group', 'alice', bytes('group'), [unique('username', 'd-alice')]);
        await tx.put(USER, 'dave', bytes('dave'), [shared('group', 'd-admins')]);
      });
      assert.deepEqual(await store.read(poolId, (tx) => tx.findIds(USER, 'group', 'd-admins')), ['alice', 'dave']);
    });

    test('a unique index violation rolls the whole transaction back', async () => {
      const poolId = await createPoolWithUsers(store);
      const before = await store.getPool(poolId);
      const changesBefore = await allChanges(store, poolId);

      await assert.rejects(
        store.transaction(poolId, async (tx) => {
          await tx.put(USER, 'carol', bytes('carol'), [unique('username', 'd-carol')]);
          await tx.delete(USER, 'bob');
          await tx.put(USER, 'mallory', bytes('mallory'), [unique('username', 'd-mallory'), unique('email', 'd-mail-a')]);
        }),
        (error: unknown) => {
          assert.ok(error instanceof UniqueIndexViolation, `expected UniqueIndexViolation, got ${String(error)}`);
          assert.equal(error.kind, USER);
          assert.equal(error.indexName, 'email');
          return true;
        },
      );

      assert.deepEqual(await store.getPool(poolId), before);
      assert.deepEqual(await allChanges(store, poolId), changesBefore);
      await store.read(poolId, async (tx) => {
        assert.equal(await tx.get(USER, 'carol'), null);
        assert.equal(await tx.get(USER, 'mallory'), null);
        assert.equal((await tx.get(USER, 'bob'))?.payload.toString(), 'bob-v1');
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-bob'), ['bob']);
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-carol'), []);
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-mallory'), []);
        assert.equal(await tx.count(USER), 2);
      });
      // The transaction left nothing locked or half-done behind.
      await store.transaction(poolId, (tx) => tx.put(USER, 'carol', bytes('carol'), [unique('username', 'd-carol')]));
      assert.deepEqual(sequencesOf(await allChanges(store, poolId)), oneTo(3));
    });

    test('a caught unique index violation leaves the transaction usable and the record unchanged', async () => {
      const poolId = await createPoolWithUsers(store);
      await store.transaction(poolId, async (tx) => {
        // bob tries to take alice's email while changing his own username: nothing of it may stick.
        await assert.rejects(
          tx.put(USER, 'bob', bytes('bob-v2'), [unique('username', 'd-robert'), unique('email', 'd-mail-a')]),
          UniqueIndexViolation,
        );
        assert.equal((await tx.get(USER, 'bob'))?.payload.toString(), 'bob-v1');
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-bob'), ['bob']);
        await tx.put(USER, 'carol', bytes('carol'), [unique('username', 'd-carol')]);
      });
      await store.read(poolId, async (tx) => {
        assert.equal((await tx.get(USER, 'bob'))?.payload.toString(), 'bob-v1');
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-bob'), ['bob']);
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-robert'), []);
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-mail-a'), ['alice']);
        assert.notEqual(await tx.get(USER, 'carol'), null);
      });
      const changes = await allChanges(store, poolId);
      assert.deepEqual(sequencesOf(changes), oneTo(3));
      assert.equal(changes[2]!.id, 'carol');
    });

    test('operations started together in one transaction each run whole', async () => {
      const poolId = await createEmptyPool(store);
      await store.transaction(poolId, async (tx) => {
        const outcomes = await Promise.allSettled(
          ['x', 'y', 'z'].map((id) => tx.put(USER, id, bytes(id), [shared('group', 'd-all'), unique('email', 'd-same')])),
        );
        assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'rejected']);
        for (const outcome of outcomes.slice(1)) {
          const reason: unknown = (outcome as PromiseRejectedResult).reason;
          assert.ok(reason instanceof UniqueIndexViolation, `expected UniqueIndexViolation, got ${String(reason)}`);
        }
      });
      await store.read(poolId, async (tx) => {
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-same'), ['x']);
        assert.deepEqual(await tx.findIds(USER, 'group', 'd-all'), ['x']);
      });
      assert.deepEqual((await allChanges(store, poolId)).map((change) => change.id), ['x']);
    });

    test('an index listed twice in one put is refused and the transaction stays usable', async () => {
      const poolId = await createPoolWithUsers(store);
      await store.transaction(poolId, async (tx) => {
        await assert.rejects(tx.put(USER, 'bob', bytes('bob-v2'), [shared('group', 'd-x'), shared('group', 'd-x')]), UniqueIndexViolation);
        await tx.put(USER, 'carol', bytes('carol'), []);
      });
      await store.read(poolId, async (tx) => {
        assert.equal((await tx.get(USER, 'bob'))?.payload.toString(), 'bob-v1');
        assert.deepEqual(await tx.findIds(USER, 'group', 'd-x'), []);
        assert.notEqual(await tx.get(USER, 'carol'), null);
      });
    });

    test('an exception inside work rolls everything back', async () => {
      const poolId = await createPoolWithUsers(store);
      const before = await store.getPool(poolId);
      const changesBefore = await allChanges(store, poolId);
      const failure = new Error('work failed');

      await assert.rejects(
        store.transaction(poolId, async (tx) => {
          await tx.put(USER, 'carol', bytes('carol'), [unique('username', 'd-carol')]);
          await tx.put(USER, 'alice', bytes('alice-v2'), []);
          assert.equal(await tx.delete(USER, 'bob'), true);
          await tx.setWrappedDataKey(bytes('wrapped-key-2'), 'arn:aws:kms:us-east-1:111122223333:key/other');
          throw failure;
        }),
        (error: unknown) => error === failure,
      );

      assert.deepEqual(await store.getPool(poolId), before);
      assert.deepEqual(await allChanges(store, poolId), changesBefore);
      await store.read(poolId, async (tx) => {
        assert.equal(await tx.get(USER, 'carol'), null);
        assert.equal((await tx.get(USER, 'alice'))?.payload.toString(), 'alice-v1');
        assert.deepEqual(await tx.findIds(USER, 'email', 'd-mail-a'), ['alice']);
        assert.equal((await tx.get(USER, 'bob'))?.payload.toString(), 'bob-v1');
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-bob'), ['bob']);
      });
    });

    test('the change log holds every put and delete, in order, exactly as written', async () => {
      const poolId = await createEmptyPool(store);
      const aliceIndexes = [unique('username', 'd-alice'), shared('group', 'd-admins')];
      const payloads = { alice1: randomBytes(48), bob: randomBytes(48), alice2: randomBytes(48) };
      await store.transaction(poolId, async (tx) => {
        await tx.put(USER, 'alice', payloads.alice1, aliceIndexes);
        await tx.put(USER, 'bob', payloads.bob, []);
      });
      await store.transaction(poolId, async (tx) => {
        await tx.put(USER, 'alice', payloads.alice2, [aliceIndexes[0]!]);
        assert.equal(await tx.delete(USER, 'bob'), true);
        // Deleting what is not there writes no entry.
        assert.equal(await tx.delete(USER, 'bob'), false);
        assert.equal(await tx.delete(USER, 'nobody'), false);
      });

      const changes = await allChanges(store, poolId);
      assert.deepEqual(
        changes.map(({ at, ...change }) => {
          assert.equal(typeof at, 'number');
          assert.ok(at > 0, 'change time is set');
          return change;
        }),
        [
          { poolId, sequence: 1, kind: USER, id: 'alice', operation: 'put', payload: payloads.alice1, indexes: aliceIndexes },
          { poolId, sequence: 2, kind: USER, id: 'bob', operation: 'put', payload: payloads.bob, indexes: [] },
          { poolId, sequence: 3, kind: USER, id: 'alice', operation: 'put', payload: payloads.alice2, indexes: [aliceIndexes[0]] },
          { poolId, sequence: 4, kind: USER, id: 'bob', operation: 'delete', payload: null, indexes: [] },
        ],
      );
      assert.equal((await store.getPool(poolId))?.lastSequence, 4);
      assert.equal(await store.read(poolId, (tx) => tx.get(USER, 'bob')), null);
      assert.deepEqual(await store.read(poolId, (tx) => tx.findIds(USER, 'group', 'd-admins')), []);
    });

    test('concurrent transactions on one pool get gap-free, unique, contiguous sequences', async () => {
      const poolId = await createEmptyPool(store);
      const transactions = 20;
      await Promise.all(
        Array.from({ length: transactions }, (_, transaction) =>
          store.transaction(poolId, async (tx) => {
            for (let put = 0; put < 3; put += 1) {
              await tx.put(USER, `t${transaction}-p${put}`, bytes(`${transaction}/${put}`), [shared('transaction', `t${transaction}`)]);
            }
          }),
        ),
      );

      const changes = await allChanges(store, poolId);
      assert.equal(changes.length, 60);
      assert.deepEqual(sequencesOf(changes), oneTo(60));
      assert.equal(new Set(changes.map((change) => change.id)).size, 60);
      assert.equal((await store.getPool(poolId))?.lastSequence, 60);
      // Pool transactions are serialized, so each one's entries sit next to each other, in order.
      for (let start = 0; start < 60; start += 3) {
        const [transaction] = changes[start]!.id.split('-');
        assert.deepEqual(
          changes.slice(start, start + 3).map((change) => change.id),
          [0, 1, 2].map((put) => `${transaction}-p${put}`),
        );
      }
    });

    test('concurrent read-modify-write transactions on one pool do not lose updates', async () => {
      const poolId = await createEmptyPool(store);
      await store.transaction(poolId, (tx) => tx.put('counter', 'c', bytes('0'), []));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(poolId, async (tx) => {
            const current = Number((await tx.get('counter', 'c'))!.payload.toString());
            await tx.put('counter', 'c', bytes(String(current + 1)), []);
          }),
        ),
      );
      assert.equal((await store.read(poolId, (tx) => tx.get('counter', 'c')))?.payload.toString(), '20');
    });

    test('transactions on different pools keep separate sequences', async () => {
      const [poolA, poolB] = [await createEmptyPool(store), await createEmptyPool(store)];
      await Promise.all(
        [poolA, poolB, poolA, poolB].map((poolId, index) => store.transaction(poolId, (tx) => tx.put(USER, `u${index}`, bytes('x'), []))),
      );
      assert.deepEqual(sequencesOf(await allChanges(store, poolA)), [1, 2]);
      assert.deepEqual(sequencesOf(await allChanges(store, poolB)), [1, 2]);
    });

    test('a transaction on a missing pool throws PoolMissing', async () => {
      const poolId = newPoolId();
      let ran = false;
      await assert.rejects(
        store.transaction(poolId, async () => {
          ran = true;
        }),
        (error: unknown) => error instanceof PoolMissing && error.poolId === poolId,
      );
      assert.equal(ran, false);
      assert.equal(await store.getPool(poolId), null);
    });

    test('createPool refuses an existing id and leaves the pool untouched', async () => {
      const poolId = await createPoolWithUsers(store);
      const before = await store.getPool(poolId);
      await assert.rejects(
        store.createPool({ poolId, wrappedDataKey: bytes('other'), keyReference: 'other', createdAt: 2_000 }, async (tx) => {
          await tx.put(USER, 'intruder', bytes('x'), []);
        }),
        (error: unknown) => error instanceof PoolAlreadyExists && error.poolId === poolId,
      );
      assert.deepEqual(await store.getPool(poolId), before);
      assert.equal(await store.read(poolId, (tx) => tx.get(USER, 'intruder')), null);
      assert.equal((await allChanges(store, poolId)).length, 2);
    });

    test('of two simultaneous createPool calls for one id exactly one wins', async () => {
      const poolId = newPoolId();
      const outcomes = await Promise.allSettled(
        ['first', 'second'].map((keyReference) =>
          store.createPool({ poolId, wrappedDataKey: bytes(keyReference), keyReference, createdAt: 1_000 }, (tx) =>
            tx.put(USER, keyReference, bytes(keyReference), []),
          ),
        ),
      );
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      assert.equal(rejected.length, 1);
      assert.ok(rejected[0]!.reason instanceof PoolAlreadyExists, `expected PoolAlreadyExists, got ${String(rejected[0]!.reason)}`);
      const winner = (await store.getPool(poolId))!.keyReference;
      assert.deepEqual(await store.read(poolId, async (tx) => (await tx.list(USER, null, 10)).records.map((record) => record.id)), [winner]);
      assert.deepEqual(sequencesOf(await allChanges(store, poolId)), [1]);
    });

    test('createPool whose work throws leaves no pool behind', async () => {
      const poolId = newPoolId();
      const failure = new Error('setup failed');
      await assert.rejects(
        store.createPool({ poolId, wrappedDataKey: bytes('k'), keyReference: 'service', createdAt: 1_000 }, async (tx) => {
          await tx.put(USER, 'alice', bytes('alice'), [unique('username', 'd-alice')]);
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
      assert.equal(await store.getPool(poolId), null);
      assert.deepEqual(await allChanges(store, poolId), []);
      await assert.rejects(store.transaction(poolId, async () => undefined), PoolMissing);
      // The id is free again, and nothing of the failed attempt shows up in the new pool.
      await createEmptyPool(store, poolId);
      assert.equal(await store.read(poolId, (tx) => tx.count(USER)), 0);
      assert.deepEqual(await store.read(poolId, (tx) => tx.findIds(USER, 'username', 'd-alice')), []);
    });

    test('deletePool removes records, indexes and change log', async () => {
      const poolId = await createPoolWithUsers(store);
      const survivor = await createPoolWithUsers(store);
      assert.equal(await store.deletePool(poolId), true);

      assert.equal(await store.getPool(poolId), null);
      assert.deepEqual(await allChanges(store, poolId), []);
      await assert.rejects(store.transaction(poolId, async () => undefined), PoolMissing);
      await store.read(poolId, async (tx) => {
        assert.equal(await tx.count(USER), 0);
        assert.deepEqual(await tx.findIds(USER, 'username', 'd-alice'), []);
      });
      assert.equal(await store.deletePool(poolId), false);

      // Recreating the id starts from nothing: no old records, no old unique digests, sequence 1.
      await createEmptyPool(store, poolId);
      await store.transaction(poolId, (tx) => tx.put(USER, 'alice2', bytes('x'), [unique('username', 'd-alice')]));
      assert.deepEqual(sequencesOf(await allChanges(store, poolId)), [1]);

      assert.equal(await store.read(survivor, (tx) => tx.count(USER)), 2);
      assert.equal((await allChanges(store, survivor)).length, 2);
    });

    test('setWrappedDataKey changes the pool key and logs the change', async () => {
      const poolId = await createPoolWithUsers(store);
      const newKey = randomBytes(72);
      const reference = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      await store.transaction(poolId, (tx) => tx.setWrappedDataKey(newKey, reference));

      const pool = await store.getPool(poolId);
      assert.deepEqual(pool?.wrappedDataKey, newKey);
      assert.equal(pool?.keyReference, reference);
      assert.equal(pool?.lastSequence, 3);
      const [change] = await store.readChanges(poolId, 2, 10);
      assert.deepEqual({ ...change, at: 0 }, {
        poolId,
        sequence: 3,
        kind: POOL_KEY_CHANGE_KIND,
        id: poolId,
        operation: 'put',
        payload: newKey,
        indexes: [],
        at: 0,
      });
    });

    test('readChanges pages with afterSequence and limit', async () => {
      const poolId = await createEmptyPool(store);
      const other = await createEmptyPool(store);
      await store.transaction(other, (tx) => tx.put(USER, 'elsewhere', bytes('x'), []));
      await store.transaction(poolId, async (tx) => {
        for (let index = 1; index <= 7; index += 1) await tx.put(USER, `u${index}`, bytes(String(index)), []);
      });

      assert.deepEqual(sequencesOf(await store.readChanges(poolId, 0, 3)), [1, 2, 3]);
      assert.deepEqual(sequencesOf(await store.readChanges(poolId, 3, 3)), [4, 5, 6]);
      assert.deepEqual(sequencesOf(await store.readChanges(poolId, 6, 3)), [7]);
      assert.deepEqual(await store.readChanges(poolId, 7, 3), []);
      assert.deepEqual((await store.readChanges(poolId, 4, 1)).map((change) => change.id), ['u5']);
      assert.deepEqual(await store.readChanges(newPoolId(), 0, 10), []);
      assert.deepEqual((await store.readChanges(other, 0, 10)).map((change) => change.id), ['elsewhere']);
    });

    test('read() sees committed data and cannot write', async () => {
      const poolId = await createPoolWithUsers(store);
      const before = await store.getPool(poolId);
      await store.read(poolId, async (tx) => {
        assert.equal(tx.poolId, poolId);
        assert.equal((await tx.get(USER, 'alice'))?.payload.toString(), 'alice-v1');
        await assert.rejects(tx.put(USER, 'carol', bytes('carol'), []));
        await assert.rejects(tx.delete(USER, 'alice'));
        await assert.rejects(tx.setWrappedDataKey(bytes('stolen'), 'other'));
        // Still usable after refusing the writes.
        assert.equal(await tx.count(USER), 2);
      });
      assert.deepEqual(await store.getPool(poolId), before);
      assert.equal((await allChanges(store, poolId)).length, 2);
      assert.equal(await store.read(poolId, (tx) => tx.get(USER, 'carol')), null);
      assert.notEqual(await store.read(poolId, (tx) => tx.get(USER, 'alice')), null);
    });

    test('region-local state lists one kind of one pool in id order, paged, and deletes one value at a time', async () => {
      const poolId = await createPoolWithUsers(store);
      const other = await createEmptyPool(store);
      for (const id of ['c', 'a', 'b']) await store.putLocal(poolId, 'used-code', id, bytes(`payload-${id}`));
      await store.putLocal(poolId, 'counter', 'a', bytes('another kind'));
      await store.putLocal(other, 'used-code', 'a', bytes('another pool'));
      const sequence = (await store.getPool(poolId))!.lastSequence;

      const first = await store.listLocal(poolId, 'used-code', null, 2);
      assert.deepEqual(first.records.map((record) => [record.kind, record.id, record.payload.toString('utf8')]), [
        ['used-code', 'a', 'payload-a'],
        ['used-code', 'b', 'payload-b'],
      ]);
      assert.equal(first.nextAfter, 'b');
      const rest = await store.listLocal(poolId, 'used-code', first.nextAfter, 2);
      assert.deepEqual(rest.records.map((record) => record.id), ['c']);
      assert.equal(rest.nextAfter, null);
      assert.deepEqual(await store.listLocal(poolId, 'no-such-kind', null, 10), { records: [], nextAfter: null });

      assert.equal(await store.deleteLocal(poolId, 'used-code', 'b'), true);
      assert.equal(await store.deleteLocal(poolId, 'used-code', 'b'), false, 'nothing left to delete');
      assert.equal(await store.getLocal(poolId, 'used-code', 'b'), null);
      assert.deepEqual((await store.listLocal(poolId, 'used-code', null, 10)).records.map((record) => record.id), ['a', 'c']);
      // Only that value: the same id of another kind or pool stays, and records and the change log are untouched.
      assert.equal((await store.getLocal(poolId, 'counter', 'a'))?.toString('utf8'), 'another kind');
      assert.equal(await store.deleteLocal(poolId, 'used-code', 'a'), true);
      assert.equal((await store.getLocal(other, 'used-code', 'a'))?.toString('utf8'), 'another pool');
      assert.equal((await store.getPool(poolId))!.lastSequence, sequence);
      assert.equal(await store.read(poolId, (tx) => tx.count(USER)), 2);
    });

    test('read() returns what work returns and passes its errors through', async () => {
      const poolId = await createEmptyPool(store);
      assert.equal(await store.read(poolId, async () => 42), 42);
      const failure = new Error('lookup failed');
      await assert.rejects(
        store.read(poolId, async () => {
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
    });
  });
}

describe('postgres migrations', () => {
  test('two stores migrating a fresh schema at once both succeed', async () => {
    const schema = uniquePostgresSchema();
    const options = { dataDir: tmpdir(), databaseUrl: postgresTestUrl(schema), region: 'test' };
    // createStore migrates: two of them at once race exactly like two processes starting together.
    const outcomes = await Promise.allSettled([createStore(options), createStore(options)]);
    const stores = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    try {
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'fulfilled']);
      const poolId = await createEmptyPool(stores[0]!);
      assert.equal((await stores[1]!.getPool(poolId))?.poolId, poolId);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropPostgresSchema(schema);
    }
  });

  test('a transaction whose work swallowed a database error is not reported as committed', async () => {
    const opened = await storeBackends().find((backend) => backend.name === 'postgres')!.open();
    try {
      const { store } = opened;
      const poolId = await createEmptyPool(store);
      await assert.rejects(
        store.transaction(poolId, async (tx) => {
          await tx.put(USER, 'alice', bytes('alice'), []);
          // A negative LIMIT is an SQL error in PostgreSQL, which aborts the transaction.
          await tx.list(USER, null, -5).catch(() => undefined);
        }),
        /rolled back/,
      );
      assert.equal(await store.read(poolId, (tx) => tx.get(USER, 'alice')), null);
    } finally {
      await opened.dispose();
    }
  });

  test('schema names that would need quoting are refused', () => {
    assert.throws(() => new PostgresStore(postgresTestUrl('x'), { schema: 'Robert"; DROP TABLE pools; --' }));
  });
});
