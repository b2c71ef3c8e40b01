import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  POOL_KEY_CHANGE_KIND,
  PoolAlreadyExists,
  PoolMissing,
  PoolRoleMismatch,
  ReplicationGap,
  type ChangeEntry,
  type SnapshotRecord,
  type Store,
} from '../../src/store/store.ts';
import { storeBackends, type OpenStore } from '../support/stores.ts';

function newPoolId(): string {
  return `us-east-1_${randomBytes(5).toString('hex')}`;
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

async function copyAll(store: Store, poolId: string): Promise<SnapshotRecord[]> {
  const records: SnapshotRecord[] = [];
  let cursor = null;
  do {
    const page = await store.snapshot(poolId, cursor, 2);
    assert.ok(page);
    records.push(...page.records);
    cursor = page.next;
  } while (cursor);
  return records;
}

for (const backend of storeBackends()) {
  describe(`replication apply: ${backend.name}`, () => {
    let opened: OpenStore;
    let store: Store;

    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });

    after(async () => {
      await opened?.dispose();
    });

    /** A primary pool with a few records (one with a route) and its change log. */
    async function primaryWithData(): Promise<{ poolId: string; changes: ChangeEntry[] }> {
      const poolId = newPoolId();
      const client = `client-${randomBytes(4).toString('hex')}`;
      await store.createPool({ poolId, wrappedDataKey: bytes('key-1'), keyReference: 'service', createdAt: 5 }, async (tx) => {
        await tx.put('user', 'alice', bytes('alice-1'), [{ name: 'username', digest: 'd-alice', unique: true }, { name: 'group', digest: 'g', unique: false }]);
        await tx.put('client', 'c1', bytes('client-1'), [{ name: 'clientId', digest: client, unique: true, route: true }]);
      });
      await store.transaction(poolId, async (tx) => {
        await tx.put('user', 'bob', bytes('bob-1'), [{ name: 'username', digest: 'd-bob', unique: true }]);
        await tx.delete('user', 'alice');
        await tx.setWrappedDataKey(bytes('key-2'), 'service');
      });
      return { poolId, changes: await store.readChanges(poolId, 0, 100) };
    }

    test('snapshot pages records in (kind, id) order with indexes, routes and the pool entry', async () => {
      const { poolId } = await primaryWithData();
      const first = await store.snapshot(poolId, null, 1);
      assert.ok(first);
      assert.equal(first.pool.lastSequence, 5);
      assert.deepEqual(first.pool.wrappedDataKey, bytes('key-2'));
      assert.equal(first.totalRecords, 2);
      assert.deepEqual(first.next, { kind: 'client', id: 'c1' });
      assert.equal(first.records[0]!.indexes[0]!.route, true);
      const second = await store.snapshot(poolId, first.next, 1);
      assert.deepEqual(second?.records.map((r) => [r.kind, r.id, r.payload.toString()]), [['user', 'bob', 'bob-1']]);
      assert.equal(second?.next, null);
      assert.equal(await store.snapshot(newPoolId(), null, 10), null);
    });

    test('applies changes in order, idempotently, without logging them, routes and key included', async () => {
      const { poolId, changes } = await primaryWithData();
      await store.deletePool(poolId);
      assert.equal(await store.findRoute('clientId', changes[1]!.indexes[0]!.digest), null);

      await store.createReplicaPool({ poolId, wrappedDataKey: bytes('key-1'), keyReference: 'service', createdAt: 5 }, 0);
      await assert.rejects(store.createReplicaPool({ poolId, wrappedDataKey: bytes('x'), keyReference: 'service', createdAt: 5 }, 0), PoolAlreadyExists);
      assert.equal(await store.applyChanges(poolId, changes.slice(0, 3)), 3);
      // Re-delivery of applied entries (and an overlapping batch) changes nothing.
      assert.equal(await store.applyChanges(poolId, changes.slice(0, 2)), 3);
      assert.equal(await store.applyChanges(poolId, changes), 5);
      assert.equal(await store.applyChanges(poolId, changes), 5);

      const pool = await store.getPool(poolId);
      assert.equal(pool?.role, 'replica');
      assert.equal(pool?.appliedSequence, 5);
      assert.equal(pool?.lastSequence, 0);
      assert.deepEqual(pool?.wrappedDataKey, bytes('key-2'));
      assert.deepEqual(await store.readChanges(poolId, 0, 100), []);
      assert.deepEqual(await store.findRoute('clientId', changes[1]!.indexes[0]!.digest), { poolId, kind: 'client', id: 'c1' });
      await store.read(poolId, async (tx) => {
        assert.equal(await tx.get('user', 'alice'), null);
        assert.deepEqual(await tx.get('user', 'bob'), { kind: 'user', id: 'bob', payload: bytes('bob-1') });
        assert.deepEqual(await tx.findIds('user', 'username', 'd-bob'), ['bob']);
        assert.deepEqual(await tx.findIds('user', 'username', 'd-alice'), []);
      });
    });

    test('a gap is refused and applies nothing of the batch', async () => {
      const { poolId, changes } = await primaryWithData();
      await store.deletePool(poolId);
      await store.createReplicaPool({ poolId, wrappedDataKey: bytes('key-1'), keyReference: 'service', createdAt: 5 }, 0);
      await store.applyChanges(poolId, changes.slice(0, 1));
      const error = await store.applyChanges(poolId, [changes[1]!, changes[3]!]).catch((caught: unknown) => caught);
      assert.ok(error instanceof ReplicationGap);
      assert.equal(error.expectedSequence, 3);
      assert.equal(error.receivedSequence, 4);
      assert.equal((await store.getPool(poolId))?.appliedSequence, 1);
      assert.equal(await store.read(poolId, (tx) => tx.get('client', 'c1')), null);
    });

    test('a key change carrying a key reference replaces both', async () => {
      const poolId = newPoolId();
      await store.createReplicaPool({ poolId, wrappedDataKey: bytes('key-1'), keyReference: 'service', createdAt: 5 }, 7);
      const change = { poolId, sequence: 8, kind: POOL_KEY_CHANGE_KIND, id: poolId, operation: 'put' as const, payload: bytes('key-9'), indexes: [], at: 1 };
      await store.applyChanges(poolId, [{ ...change, keyReference: 'arn:aws:kms:us-east-1:1:key/k' }]);
      const pool = await store.getPool(poolId);
      assert.deepEqual(pool?.wrappedDataKey, bytes('key-9'));
      assert.equal(pool?.keyReference, 'arn:aws:kms:us-east-1:1:key/k');
    });

    test('snapshot pages apply exactly as stored and save progress; primaries refuse applies', async () => {
      const { poolId } = await primaryWithData();
      const records = await copyAll(store, poolId);
      const replicaId = newPoolId();
      await assert.rejects(store.applySnapshotPage(replicaId, records, { complete: true, after: null, copiedRecords: 0, totalRecords: 0 }), PoolMissing);
      await assert.rejects(store.applyChanges(poolId, []), PoolRoleMismatch);
      // The copy goes to a second store region-wise; here the same pool id in a fresh replica row.
      await store.deletePool(poolId);
      await store.createReplicaPool({ poolId, wrappedDataKey: bytes('key-2'), keyReference: 'service', createdAt: 5 }, 5);
      await store.applySnapshotPage(poolId, records, { complete: true, after: null, copiedRecords: records.length, totalRecords: 2 });
      assert.deepEqual(await copyAll(store, poolId), records);
      assert.deepEqual((await store.getPool(poolId))?.snapshotProgress, { complete: true, after: null, copiedRecords: 2, totalRecords: 2 });
      assert.deepEqual(await store.readChanges(poolId, 0, 100), []);
    });

    test("a replica never takes over a route a local pool holds (a domain prefix taken in this region)", async () => {
      const prefix = `prefix-${randomBytes(4).toString('hex')}`;
      const local = newPoolId();
      await store.createPool({ poolId: local, wrappedDataKey: bytes('key-local'), keyReference: 'service', createdAt: 1 }, async (tx) => {
        await tx.put('domain', prefix, bytes('local-domain'), [{ name: 'domain', digest: prefix, unique: true, route: true }]);
      });
      const replica = newPoolId();
      await store.createReplicaPool({ poolId: replica, wrappedDataKey: bytes('key-replica'), keyReference: 'service', createdAt: 1 }, 0);
      await store.applySnapshotPage(replica, [{ kind: 'domain', id: prefix, payload: bytes('replica-domain'), indexes: [{ name: 'domain', digest: prefix, unique: true, route: true }] }], { complete: true, after: null, copiedRecords: 1, totalRecords: 1 });
      assert.equal((await store.findRoute('domain', prefix))?.poolId, local);
      await store.applyChanges(replica, [{ poolId: replica, sequence: 1, kind: 'domain', id: prefix, operation: 'put', payload: bytes('replica-domain-2'), indexes: [{ name: 'domain', digest: prefix, unique: true, route: true }], at: 2 }]);
      assert.equal((await store.findRoute('domain', prefix))?.poolId, local);
    });

    test('a fuzzy snapshot holding a moved unique index converges when the changes replay', async () => {
      const poolId = newPoolId();
      await store.createReplicaPool({ poolId, wrappedDataKey: bytes('k'), keyReference: 'service', createdAt: 1 }, 1);
      // Page 1 read alice before she gave up the name; page 2 read bob after he took it.
      await store.applySnapshotPage(poolId, [{ kind: 'user', id: 'alice', payload: bytes('a'), indexes: [{ name: 'username', digest: 'x', unique: true }] }], { complete: false, after: { kind: 'user', id: 'alice' }, copiedRecords: 1, totalRecords: 2 });
      await store.applySnapshotPage(poolId, [{ kind: 'user', id: 'bob', payload: bytes('b'), indexes: [{ name: 'username', digest: 'x', unique: true }] }], { complete: true, after: null, copiedRecords: 2, totalRecords: 2 });
      await store.applyChanges(poolId, [
        { poolId, sequence: 2, kind: 'user', id: 'alice', operation: 'put', payload: bytes('a2'), indexes: [{ name: 'username', digest: 'y', unique: true }], at: 1 },
        { poolId, sequence: 3, kind: 'user', id: 'bob', operation: 'put', payload: bytes('b'), indexes: [{ name: 'username', digest: 'x', unique: true }], at: 1 },
      ]);
      await store.read(poolId, async (tx) => {
        assert.deepEqual(await tx.findIds('user', 'username', 'x'), ['bob']);
        assert.deepEqual(await tx.findIds('user', 'username', 'y'), ['alice']);
      });
    });
  });
}
