import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isSessionActive, REVOKED_SESSION_KIND } from '../../src/auth/sessions/revocation.ts';
import { newSessionId } from '../../src/auth/sessions/session-ids.ts';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import { AUTHORIZATION_CODE_SECONDS, claimAuthorizationCode, type AuthorizationCodeContent, type Claim } from '../../src/oauth/authorize/authorization-code.ts';
import { AUTHORIZATION_CODE_RECORD_KIND, KEPT_AFTER_EXPIRY_MS, markCodeUsed, usedCodeRecord, type UsedCodeRecord } from '../../src/oauth/authorize/used-codes.ts';
import { SHIPPED_KINDS } from '../../src/regions/region-replication.ts';
import { mergeShipment } from '../../src/replication/shipped-kinds.ts';
import type { Store } from '../../src/store/store.ts';
import type { AppClientRecord } from '../../src/userpools/clients/app-client.ts';
import type { UserPoolServices } from '../../src/userpools/services.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../src/userpools/users/user-record.ts';
import { storeBackends, storesSharingOneDatabase, type OpenStore } from '../support/stores.ts';

/**
 * Single use of authorization codes and the sweep of used-code records, on a primary and on a
 * secondary replica (where the records are region-local state), over both real stores. Time is
 * passed in, so codes expire without waiting. The token-issuing path is the hosted-login tests'
 * (test/oauth/authorization-code.test.ts, test/e2e/replica-lifecycle.test.ts); here a redemption
 * that issues is `markCodeUsed`, the step that records it.
 */
const provider = new ServiceKeyProvider(randomBytes(32));
const CODE_MS = AUTHORIZATION_CODE_SECONDS * 1000;

for (const backend of storeBackends()) {
  describe(`used authorization codes: ${backend.name}`, () => {
    let opened: OpenStore;
    let store: Store;
    let vault: PoolVault;

    before(async () => {
      opened = await backend.open();
      store = opened.store;
      vault = new PoolVault(store, new DataKeyCache(() => provider, { ttlMs: 60_000 }));
    });
    after(async () => {
      await opened?.dispose();
    });

    const newPoolId = () => `us-east-1_${randomBytes(5).toString('hex')}`;

    function usedRecord(issuedAt: number, usedAt = issuedAt): UsedCodeRecord {
      return { sessionId: newSessionId(usedAt), usedAt, expiresAt: issuedAt + CODE_MS, sessionExpiresAt: usedAt + 30 * 86_400_000 };
    }

    /** A redemption of a code issued at `issuedAt` that issues tokens: records the code as used. */
    async function redeemNew(poolId: string, issuedAt: number, now: number): Promise<{ id: string; used: UsedCodeRecord }> {
      const id = randomUUID();
      const used = usedRecord(issuedAt, now);
      assert.deepEqual(await vault.write(poolId, (records) => markCodeUsed(records, id, used, () => now)), { outcome: 'marked' });
      return { id, used };
    }

    /**
     * The transaction of a redemption (claimAuthorizationCode) at `now` for a code that was used
     * before or has expired: those paths answer before the user, the client or the signing keys
     * are needed, so services is only a clock.
     */
    function redeemAgain(poolId: string, id: string, issuedAt: number, now: number): Promise<Claim> {
      const services = { now: () => now } as unknown as UserPoolServices;
      const code: AuthorizationCodeContent = { id, clientId: 'client', userId: 'user', redirectUri: 'https://app.example.com/callback', scope: 'openid', authTime: Math.floor(issuedAt / 1000), expiresAt: issuedAt + CODE_MS };
      return vault.write(poolId, (records) => claimAuthorizationCode(services, records, {} as AppClientRecord, code));
    }

    const findUsed = (poolId: string, id: string) => vault.read(poolId, (records) => usedCodeRecord(records, id));
    const inRecords = (poolId: string, id: string) => vault.read(poolId, (records) => records.get(AUTHORIZATION_CODE_RECORD_KIND, id));
    const regionLocal = (poolId: string, kind: string, id: string) => store.getLocal(poolId, kind, id);

    /**
     * A secondary replica of a pool in whose primary `usedAtPrimary` was redeemed: the primary's
     * records copied as a replica's first snapshot copies them (same id, same wrapped data key).
     */
    async function secondaryReplica(usedAtPrimary: { id: string; used: UsedCodeRecord }): Promise<string> {
      const poolId = newPoolId();
      await vault.createPool(poolId, provider, (records) => markCodeUsed(records, usedAtPrimary.id, usedAtPrimary.used, () => usedAtPrimary.used.usedAt));
      const page = (await store.snapshot(poolId, null, 1_000))!;
      await vault.deletePool(poolId);
      await store.createReplicaPool({ poolId, wrappedDataKey: page.pool.wrappedDataKey, keyReference: page.pool.keyReference, createdAt: page.pool.createdAt }, page.pool.lastSequence);
      await store.applySnapshotPage(poolId, page.records, { complete: true, after: null, copiedRecords: page.records.length, totalRecords: page.records.length });
      assert.equal(await vault.roleOf(poolId), 'replica');
      return poolId;
    }

    test('at a secondary, a used code is region-local, refused until it expires, and its record dropped by a later redemption', async () => {
      const t0 = Date.now();
      const atPrimary = { id: randomUUID(), used: usedRecord(t0) };
      const poolId = await secondaryReplica(atPrimary);

      const first = await redeemNew(poolId, t0, t0);
      assert.ok(await regionLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, first.id), 'recorded in region-local state');
      assert.equal(await inRecords(poolId, first.id), null, 'not in the records, which are the primary\'s');
      assert.deepEqual(await findUsed(poolId, first.id), first.used);
      assert.deepEqual(await findUsed(poolId, atPrimary.id), atPrimary.used, 'a code used at the primary counts here too');

      // Reused just before it expires, after other redemptions swept: refused, and the first use's session revoked here.
      const meanwhile = await redeemNew(poolId, t0 + CODE_MS - 2_000, t0 + CODE_MS - 1_000);
      assert.deepEqual(await redeemAgain(poolId, first.id, t0, t0 + CODE_MS - 1), { outcome: 'reused' });
      assert.ok(await regionLocal(poolId, REVOKED_SESSION_KIND, first.used.sessionId), 'the session of the first use is revoked region-locally');
      assert.deepEqual(await redeemAgain(poolId, atPrimary.id, t0, t0 + CODE_MS - 1), { outcome: 'reused' });

      // Expired, but within the minute a record outlives its code: a redemption keeps it.
      await redeemNew(poolId, t0 + KEPT_AFTER_EXPIRY_MS, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS - 1);
      assert.ok(await regionLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, first.id));

      // After that the next redemption drops it; unexpired ones stay, and the primary's records are not this region's to sweep.
      const later = await redeemNew(poolId, t0 + CODE_MS, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS);
      assert.equal(await regionLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, first.id), null, 'the expired code\'s record is gone');
      assert.equal(await findUsed(poolId, first.id), null);
      for (const kept of [meanwhile, later]) assert.deepEqual(await findUsed(poolId, kept.id), kept.used);
      assert.deepEqual(await findUsed(poolId, atPrimary.id), atPrimary.used);
      // Without its record, the code is refused on its expiry, also by the redemption itself.
      assert.deepEqual(await redeemAgain(poolId, first.id, t0, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS), { outcome: 'expired' });
      assert.deepEqual(await redeemAgain(poolId, meanwhile.id, t0 + CODE_MS - 2_000, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS), { outcome: 'reused' }, 'unexpired: still refused as used');
    });

    test('at a secondary, one redemption drops at most a batch of expired records', async () => {
      const t0 = Date.now();
      const poolId = await secondaryReplica({ id: randomUUID(), used: usedRecord(t0) });
      const expired: Array<{ id: string }> = [];
      for (let index = 0; index < 30; index += 1) expired.push(await redeemNew(poolId, t0, t0));
      const now = t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS;
      await redeemNew(poolId, now, now);
      const left = (await store.listLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, null, 100)).records.length;
      assert.ok(left >= 30 + 1 - 25 && left < 30 + 1, `${left} records left`);
      for (let round = 0; round < 3; round += 1) await redeemNew(poolId, now, now);
      const remaining = await Promise.all(expired.map((code) => regionLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, code.id)));
      assert.deepEqual(remaining.filter((payload) => payload !== null), [], 'later redemptions drop the rest');
    });

    test('at the primary, the records of expired codes are dropped the same way, in the pool\'s records', async () => {
      const t0 = Date.now();
      const poolId = newPoolId();
      await vault.createPool(poolId, provider, async () => undefined);
      const first = await redeemNew(poolId, t0, t0);
      assert.deepEqual(await inRecords(poolId, first.id), first.used);
      assert.equal(await regionLocal(poolId, AUTHORIZATION_CODE_RECORD_KIND, first.id), null, 'nothing region-local at the primary');
      assert.deepEqual(await redeemAgain(poolId, first.id, t0, t0 + CODE_MS - 1), { outcome: 'reused' });

      await redeemNew(poolId, t0 + CODE_MS, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS - 1);
      assert.deepEqual(await inRecords(poolId, first.id), first.used, 'kept a minute past its expiry');
      const later = await redeemNew(poolId, t0 + CODE_MS, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS);
      assert.equal(await inRecords(poolId, first.id), null);
      assert.deepEqual(await inRecords(poolId, later.id), later.used);
      assert.deepEqual(await redeemAgain(poolId, first.id, t0, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS), { outcome: 'expired' });
    });

    test('at the primary, a code used at a secondary is merged: a later use is a reuse, and a use on both sides revokes both sessions', async () => {
      const t0 = Date.now();
      const poolId = newPoolId();
      await vault.createPool(poolId, provider, async () => undefined);
      // Merged as the primary merges a shipment from a secondary, with the region's own kinds.
      const shipped = SHIPPED_KINDS.find((candidate) => candidate.kind === AUTHORIZATION_CODE_RECORD_KIND)!;
      const merge = async (id: string, used: UsedCodeRecord, now = t0 + 1_000) =>
        (await vault.write(poolId, (records) => mergeShipment(records, [{ shipped, id, value: used }], now))) === 1;
      const active = (sessionId: string) => vault.read(poolId, (records) => isSessionActive(records, 'user', sessionId));

      // Used only at the secondary: recorded here, so a redemption here is a reuse and ends the secondary's session.
      const usedThere = { id: randomUUID(), used: usedRecord(t0) };
      assert.equal(await merge(usedThere.id, usedThere.used), true);
      assert.equal(await merge(usedThere.id, usedThere.used), false, 'a retried shipment changes nothing');
      assert.deepEqual(await inRecords(poolId, usedThere.id), usedThere.used);
      assert.equal(await active(usedThere.used.sessionId), true);
      assert.deepEqual(await redeemAgain(poolId, usedThere.id, t0, t0 + 2_000), { outcome: 'reused' });
      assert.equal(await active(usedThere.used.sessionId), false, 'the secondary\'s session is revoked');

      // Used here and at the secondary before either knew: both sessions end, whichever arrives second.
      const usedHere = await redeemNew(poolId, t0, t0);
      const alsoThere = usedRecord(t0, t0 + 10);
      assert.equal(await merge(usedHere.id, alsoThere), true);
      assert.equal(await active(usedHere.used.sessionId), false, 'the session of the use here is revoked');
      assert.equal(await active(alsoThere.sessionId), false, 'and the one of the use there');
      assert.equal(await merge(usedHere.id, alsoThere), false, 'again: nothing more to do');

      // Merged uses are swept like the primary's own: one merged once they have expired drops them.
      const sweeping = { id: randomUUID(), used: usedRecord(t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS) };
      assert.equal(await merge(sweeping.id, sweeping.used, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS), true);
      assert.equal(await inRecords(poolId, usedThere.id), null, 'the expired merged record went with a later merge');

      // A use shipped long after its code expired is not kept: the code's expiry refuses it anyway.
      const late = { id: randomUUID(), used: usedRecord(t0) };
      assert.equal(await merge(late.id, late.used, t0 + CODE_MS + KEPT_AFTER_EXPIRY_MS), false);
      assert.equal(await inRecords(poolId, late.id), null);
    });
  });
}

/**
 * Two redemptions of one code racing at a secondary replica, as two workers or servers of the region
 * sharing its store do: each through its own store connection and PoolVault. A secondary's
 * vault.write is no transaction, so only markCodeUsed's atomic step keeps the code single use.
 */
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`concurrent redemptions at a secondary: ${backend}`, () => {
    let shared: Awaited<ReturnType<typeof storesSharingOneDatabase>>;
    let stores: Store[] = [];

    before(async () => {
      shared = await storesSharingOneDatabase(backend, 2, 'meridian-used-codes-');
      stores = shared.stores;
    });
    after(async () => {
      await shared?.dispose();
    });

    test('of two concurrent redemptions of one code, exactly one claims; the other is a reuse and revokes its session', async () => {
      const [store, otherStore] = stores;
      const vaults = [store, otherStore].map((each) => new PoolVault(each, new DataKeyCache(() => provider, { ttlMs: 60_000 })));
      const now = Date.now();
      const user: UserRecord = { id: randomUUID(), username: 'alice', sub: randomUUID(), attributes: {}, enabled: true, status: 'CONFIRMED', createdAt: now, modifiedAt: now };
      // A secondary replica holding the user, copied from a primary as a first snapshot copies it.
      const poolId = `us-east-1_${randomBytes(5).toString('hex')}`;
      await vaults[0].createPool(poolId, provider, (records) => records.put(USER_RECORD_KIND, user.id, user));
      const page = (await store.snapshot(poolId, null, 1_000))!;
      await vaults[0].deletePool(poolId);
      await store.createReplicaPool({ poolId, wrappedDataKey: page.pool.wrappedDataKey, keyReference: page.pool.keyReference, createdAt: page.pool.createdAt }, page.pool.lastSequence);
      await store.applySnapshotPage(poolId, page.records, { complete: true, after: null, copiedRecords: page.records.length, totalRecords: page.records.length });
      for (const vault of vaults) assert.equal(await vault.roleOf(poolId), 'replica');

      const services = { now: () => Date.now() } as unknown as UserPoolServices;
      const client = { settings: { AccessTokenValidity: 60, IdTokenValidity: 60, RefreshTokenValidity: 30, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' } } } as unknown as AppClientRecord;
      // Several codes, so a race that one round happens to serialize still shows.
      for (let round = 0; round < 5; round += 1) {
        const code: AuthorizationCodeContent = { id: randomUUID(), clientId: 'client', userId: user.id, redirectUri: 'https://app.example.com/callback', scope: 'openid', authTime: Math.floor(now / 1000), expiresAt: Date.now() + CODE_MS };
        const claims = await Promise.all(vaults.map((vault) => vault.write(poolId, (records) => claimAuthorizationCode(services, records, client, code))));
        assert.deepEqual(claims.map((claim) => claim.outcome).sort(), ['claimed', 'reused'], `round ${round}`);
        const claimed = claims.find((claim) => claim.outcome === 'claimed')!;
        const recorded = await vaults[1].read(poolId, (records) => usedCodeRecord(records, code.id));
        assert.equal(recorded?.sessionId, claimed.sessionId, 'the record names the session that got the tokens');
        assert.ok(await store.getLocal(poolId, REVOKED_SESSION_KIND, claimed.sessionId), 'and the reuse revoked it');
      }
    });
  });
}
