import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { storeBackends, type OpenStore } from '../support/stores.ts';

/**
 * Many read views at once, each using the store again while it is open and taking its time (what
 * a sign-in does: it verifies a password inside its view and counts failures in region-local
 * state). On PostgreSQL a view used to hold a pooled connection for its whole life, so more
 * views than the pool has connections (10) each held one and waited for another, forever.
 */
for (const backend of storeBackends()) {
  describe(`concurrent read views (${backend.name})`, () => {
    let opened: OpenStore;
    let store: Store;
    const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
    before(async () => {
      opened = await backend.open();
      store = opened.store;
      await store.createPool({ poolId, wrappedDataKey: randomBytes(40), keyReference: 'service', createdAt: Date.now() }, (tx) =>
        tx.put('thing', 'a', Buffer.from('sealed'), []),
      );
    });
    after(async () => {
      await opened.dispose();
    });

    test('40 views that each use the store again while open all finish', { timeout: 20_000 }, async () => {
      const views = Array.from({ length: 40 }, (_, index) =>
        store.read(poolId, async (tx) => {
          const before = await tx.get('thing', 'a');
          await store.updateLocal(poolId, 'counter', 'c', (current) => ({ payload: Buffer.from(String(Number(current?.toString() ?? '0') + 1)), result: undefined }));
          await sleep(index % 5);
          await store.getLocal(poolId, 'counter', 'c');
          return (await tx.get('thing', 'a'))?.payload.equals(before!.payload);
        }),
      );
      assert.deepEqual(await Promise.all(views), Array(40).fill(true));
      assert.equal((await store.getLocal(poolId, 'counter', 'c'))?.toString(), '40');
    });
  });
}
