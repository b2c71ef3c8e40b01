import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isSessionActive, REVOKED_KEPT_AFTER_EXPIRY_MS, REVOKED_SESSION_KIND, revokeSession } from '../../../src/auth/sessions/revocation.ts';
import { newSessionId } from '../../../src/auth/sessions/session-ids.ts';
import { DataKeyCache } from '../../../src/crypto/data-key-cache.ts';
import { PoolVault } from '../../../src/crypto/pool-vault.ts';
import { ServiceKeyProvider } from '../../../src/crypto/service-key-provider.ts';
import { SHIPPED_KINDS } from '../../../src/regions/region-replication.ts';
import { mergeShipment } from '../../../src/replication/shipped-kinds.ts';
import { storeBackends, type OpenStore } from '../../support/stores.ts';

/**
 * Records of revoked sessions (RevokeToken, a reused authorization code) do not pile up: each
 * revocation drops a few whose refresh token and last access token have expired, and keeps the
 * rest. Time is passed in, so sessions expire without waiting. Both real stores.
 */
const provider = new ServiceKeyProvider(randomBytes(32));
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26);

for (const backend of storeBackends()) {
  describe(`revoked-session records are swept: ${backend.name}`, () => {
    let opened: OpenStore;
    let vault: PoolVault;

    before(async () => {
      opened = await backend.open();
      vault = new PoolVault(opened.store, new DataKeyCache(() => provider, { ttlMs: 60_000 }));
    });
    after(async () => {
      await opened?.dispose();
    });

    async function newPool(): Promise<string> {
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      await vault.createPool(poolId, provider, async () => undefined);
      return poolId;
    }

    /** Revokes a session begun at `startedAt` whose refresh token expires at `expiresAt`, at `now`. */
    async function revoke(poolId: string, startedAt: number, expiresAt: number, now = NOW): Promise<string> {
      const sessionId = newSessionId(startedAt);
      await vault.write(poolId, (records) => revokeSession(records, sessionId, now, expiresAt));
      return sessionId;
    }

    const revokedIds = (poolId: string) =>
      vault.read(poolId, async (records) => (await records.list(REVOKED_SESSION_KIND, null, 1_000)).items.map((item) => item.id).sort());

    test('a revocation drops records whose last token has expired and keeps the others', async () => {
      const poolId = await newPool();
      const revokedAt = NOW - 40 * DAY;
      const longGone = await revoke(poolId, NOW - 60 * DAY, NOW - 30 * DAY, revokedAt);
      // At NOW its refresh token has expired, but an access token from its last refresh may still be valid.
      const accessWindow = await revoke(poolId, NOW - 50 * DAY, NOW - DAY + 60_000, revokedAt);
      const live = await revoke(poolId, NOW - 45 * DAY, NOW + 29 * DAY, revokedAt);
      assert.deepEqual(await revokedIds(poolId), [longGone, accessWindow, live].sort(), 'nothing had expired long enough when they were revoked');

      const latest = await revoke(poolId, NOW, NOW + 30 * DAY);
      assert.deepEqual(await revokedIds(poolId), [accessWindow, live, latest].sort());
      for (const sessionId of [accessWindow, live, latest]) {
        assert.equal(await vault.read(poolId, (records) => isSessionActive(records, 'user', sessionId)), false, 'a kept record still ends its session');
      }
    });

    test('the sweep goes on past a page of long-lived sessions, so expired ones behind them still go', async () => {
      const poolId = await newPool();
      // The oldest session ids, whose refresh tokens live ten years: they fill the first pages.
      for (let i = 0; i < 60; i += 1) await revoke(poolId, NOW - 90 * DAY + i, NOW + 3_650 * DAY, NOW - 90 * DAY + i);
      const expired: string[] = [];
      for (let i = 0; i < 30; i += 1) expired.push(await revoke(poolId, NOW - 80 * DAY + i, NOW - 50 * DAY, NOW - 80 * DAY + i));
      // Wherever the setup left the sweep, six revocations look at more than every record once.
      for (let i = 0; i < 6; i += 1) await revoke(poolId, NOW + i, NOW + 30 * DAY, NOW + i);
      const left = new Set(await revokedIds(poolId));
      assert.deepEqual(expired.filter((sessionId) => left.has(sessionId)), [], 'every expired record is gone');
      assert.equal(left.size, 66, 'the long-lived and the new ones stay');
    });

    test('a revocation merged from another region sweeps as one made here does, and an expired one is not kept', async () => {
      const poolId = await newPool();
      const expired = await revoke(poolId, NOW - 60 * DAY, NOW - 30 * DAY, NOW - 40 * DAY);
      // Merged as the primary merges a shipment from a secondary, with the region's own kinds.
      const shipped = SHIPPED_KINDS.find((candidate) => candidate.kind === REVOKED_SESSION_KIND)!;
      const merge = async (sessionId: string, expiresAt: number) =>
        (await vault.write(poolId, (records) => mergeShipment(records, [{ shipped, id: sessionId, value: { revokedAt: NOW, expiresAt } }], NOW))) === 1;
      const revokedThere = newSessionId(NOW - DAY);
      assert.equal(await merge(revokedThere, NOW + 29 * DAY), true);
      assert.equal(await merge(revokedThere, NOW + 29 * DAY), false, 'merged once');
      assert.deepEqual(await revokedIds(poolId), [revokedThere], 'the expired record went with the merge');
      assert.equal(await merge(newSessionId(NOW - 60 * DAY), NOW - 30 * DAY), false, 'long expired: nothing to keep');
      assert.ok(!(await revokedIds(poolId)).includes(expired));
    });

    test('at a secondary replica the sweep drops region-local records, and leaves the primary\'s', async () => {
      // A replica of a pool whose primary revoked a session long expired, copied as a first snapshot copies it.
      const source = await newPool();
      const fromPrimary = await revoke(source, NOW - 60 * DAY, NOW - 30 * DAY, NOW - 40 * DAY);
      const page = (await opened.store.snapshot(source, null, 1_000))!;
      await vault.deletePool(source);
      await opened.store.createReplicaPool({ poolId: source, wrappedDataKey: page.pool.wrappedDataKey, keyReference: page.pool.keyReference, createdAt: page.pool.createdAt }, page.pool.lastSequence);
      await opened.store.applySnapshotPage(source, page.records, { complete: true, after: null, copiedRecords: page.records.length, totalRecords: page.records.length });
      assert.equal(await vault.roleOf(source), 'replica');

      const localIds = async () => (await opened.store.listLocal(source, REVOKED_SESSION_KIND, null, 100)).records.map((record) => record.id).sort();
      const expiredHere = await revoke(source, NOW - 50 * DAY, NOW - 20 * DAY, NOW - 30 * DAY);
      assert.deepEqual(await localIds(), [expiredHere]);
      const latest = await revoke(source, NOW, NOW + 30 * DAY);
      assert.deepEqual(await localIds(), [latest], 'the expired region-local record is gone');
      assert.deepEqual(await revokedIds(source), [fromPrimary], 'the replicated record is the primary\'s to sweep');
    });

    test('a record is dropped only after its refresh token and its last access token can have expired', async () => {
      const poolId = await newPool();
      const expiresAt = NOW - 10 * DAY;
      const sessionId = await revoke(poolId, NOW - 40 * DAY, expiresAt, NOW - 20 * DAY);
      await revoke(poolId, NOW, NOW + DAY, expiresAt + REVOKED_KEPT_AFTER_EXPIRY_MS - 1);
      assert.ok((await revokedIds(poolId)).includes(sessionId), 'kept until the end of the window');
      await revoke(poolId, NOW + 1, NOW + DAY, expiresAt + REVOKED_KEPT_AFTER_EXPIRY_MS);
      assert.ok(!(await revokedIds(poolId)).includes(sessionId), 'dropped once the window has passed');
    });
  });
}
