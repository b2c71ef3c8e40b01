import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createKmsStore } from '../../src/store/kms/create-kms-store.ts';
import { KmsAliasExists, KmsKeyExists, type KmsStore, type StoredKey, type StoredKeyMaterial } from '../../src/store/kms/kms-store.ts';
import { backendsOf, dropPostgresSchema, postgresTestUrl, uniquePostgresSchema, type OpenStore } from '../support/stores.ts';

/** Both backends, each on fresh private storage migrated by the shared migrations. */
const backends = backendsOf(createKmsStore, 'meridian-kms-store-');

let counter = 0;
function keyRow(overrides: Partial<StoredKey> = {}): StoredKey {
  counter += 1;
  return { keyId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`, attributes: '{"state":"Enabled"}', policy: '{}', revision: 1, attentionAt: null, createdAt: 1000, ...overrides };
}

function material(keyId: string, version: number): StoredKeyMaterial {
  return { keyId, version, materialId: `m${version}`, wrapped: Buffer.from(`wrapped-${keyId}-${version}`), createdAt: 1000 + version };
}

for (const backend of backends) {
  describe(`KMS store contract: ${backend.name}`, () => {
    let opened: OpenStore<KmsStore>;
    let store: KmsStore;
    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    after(async () => {
      await opened?.dispose();
    });

    test('keys: insert with materials, get, list in id order, duplicates refused', async () => {
      const key = keyRow();
      await store.insertKey(key, [material(key.keyId, 1)]);
      assert.deepEqual(await store.getKey(key.keyId), key);
      await assert.rejects(store.insertKey(key, []), KmsKeyExists);
      assert.equal(await store.getKey('nope'), null);
      const more = [keyRow(), keyRow()];
      for (const row of more) await store.insertKey(row, []);
      const listed = await store.listKeys(key.keyId, 10);
      assert.deepEqual(listed.map((row) => row.keyId).slice(0, 2), more.map((row) => row.keyId));
      assert.equal((await store.listKeys(null, 1)).length, 1);
    });

    test('updateKey is compare-and-set on the revision and adds materials in the same transaction', async () => {
      const key = keyRow();
      await store.insertKey(key, [material(key.keyId, 1)]);
      const changes = { attributes: '{"state":"Disabled"}', policy: '{"v":2}', attentionAt: 5000 };
      assert.equal(await store.updateKey(key.keyId, 1, changes, [material(key.keyId, 2)]), true);
      const updated = await store.getKey(key.keyId);
      assert.equal(updated?.revision, 2);
      assert.equal(updated?.attributes, changes.attributes);
      assert.equal(updated?.attentionAt, 5000);
      assert.equal(await store.updateKey(key.keyId, 1, { ...changes, policy: 'lost' }, [material(key.keyId, 3)]), false, 'stale revision');
      assert.equal((await store.getKey(key.keyId))?.policy, '{"v":2}');
      assert.deepEqual((await store.listMaterials(key.keyId)).map((row) => row.version), [1, 2], 'the losing update added nothing');
      assert.equal(await store.updateKey('missing', 1, changes), false);
      // Re-adding a version keeps the stored one.
      assert.equal(await store.updateKey(key.keyId, 2, changes, [{ ...material(key.keyId, 2), wrapped: Buffer.from('other') }]), true);
      assert.deepEqual((await store.getMaterial(key.keyId, 2))?.wrapped, material(key.keyId, 2).wrapped);
      assert.equal(await store.getMaterial(key.keyId, 9), null);
    });

    test('concurrent compare-and-set updates: exactly one wins', async () => {
      const key = keyRow();
      await store.insertKey(key, []);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.updateKey(key.keyId, 1, { attributes: `{"n":${i}}`, policy: '{}', attentionAt: null })));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('keysDueBy returns keys whose attention time has come, earliest first', async () => {
      const late = keyRow({ attentionAt: 9_000_000 });
      const early = keyRow({ attentionAt: 8_000_000 });
      const never = keyRow({ attentionAt: null });
      for (const row of [late, early, never]) await store.insertKey(row, []);
      const due = (await store.keysDueBy(9_000_000, 100)).map((row) => row.keyId);
      assert.ok(due.indexOf(early.keyId) < due.indexOf(late.keyId) && due.indexOf(early.keyId) >= 0);
      assert.ok(!due.includes(never.keyId));
      assert.ok(!(await store.keysDueBy(8_500_000, 100)).some((row) => row.keyId === late.keyId));
    });

    test('deleteKey removes the key, its materials and its aliases', async () => {
      const key = keyRow();
      await store.insertKey(key, [material(key.keyId, 1), material(key.keyId, 2)]);
      await store.insertAlias({ aliasName: `alias/delete-${key.keyId}`, keyId: key.keyId, createdAt: 1, updatedAt: 1 });
      assert.equal(await store.deleteKey(key.keyId), true);
      assert.equal(await store.getKey(key.keyId), null);
      assert.deepEqual(await store.listMaterials(key.keyId), []);
      assert.equal(await store.getAlias(`alias/delete-${key.keyId}`), null);
      assert.equal(await store.deleteKey(key.keyId), false);
    });

    test('aliases: insert, duplicate, list per key and paged, retarget, delete', async () => {
      const [first, second] = [keyRow(), keyRow()];
      for (const row of [first, second]) await store.insertKey(row, []);
      await store.insertAlias({ aliasName: 'alias/a1', keyId: first.keyId, createdAt: 1, updatedAt: 1 });
      await store.insertAlias({ aliasName: 'alias/a2', keyId: first.keyId, createdAt: 2, updatedAt: 2 });
      await store.insertAlias({ aliasName: 'alias/B3', keyId: second.keyId, createdAt: 3, updatedAt: 3 });
      await assert.rejects(store.insertAlias({ aliasName: 'alias/a1', keyId: second.keyId, createdAt: 4, updatedAt: 4 }), KmsAliasExists);
      assert.deepEqual((await store.listAliases(first.keyId, null, 10)).map((alias) => alias.aliasName), ['alias/a1', 'alias/a2']);
      assert.deepEqual((await store.listAliases(null, null, 10)).map((alias) => alias.aliasName).slice(0, 3), ['alias/B3', 'alias/a1', 'alias/a2'], 'byte order, as on both backends');
      assert.deepEqual((await store.listAliases(null, 'alias/a1', 10)).map((alias) => alias.aliasName), ['alias/a2']);
      assert.equal(await store.retargetAlias('alias/a1', second.keyId, 9), true);
      assert.deepEqual(await store.getAlias('alias/a1'), { aliasName: 'alias/a1', keyId: second.keyId, createdAt: 1, updatedAt: 9 });
      assert.equal(await store.retargetAlias('alias/none', second.keyId, 9), false);
      assert.equal(await store.deleteAlias('alias/a1'), true);
      assert.equal(await store.deleteAlias('alias/a1'), false);
    });

    test('audit events: appended in order, filtered by key, action and time, paged by sequence', async () => {
      const base = { requestId: 'r', principal: 'p', encryptionContext: null, outcome: 'success' };
      await store.appendAuditEvents([
        { ...base, at: 100, action: 'Encrypt', keyId: 'k-audit', encryptionContext: { a: 'b' } },
        { ...base, at: 200, action: 'Decrypt', keyId: 'k-audit', outcome: 'InvalidCiphertextException' },
        { ...base, at: 300, action: 'Encrypt', keyId: 'other' },
        { ...base, at: 400, action: 'ListKeys', keyId: null },
      ]);
      const ofKey = await store.listAuditEvents({ keyId: 'k-audit', limit: 10 });
      assert.deepEqual(ofKey.map((event) => [event.action, event.at, event.outcome]), [
        ['Encrypt', 100, 'success'],
        ['Decrypt', 200, 'InvalidCiphertextException'],
      ]);
      assert.deepEqual(ofKey[0]!.encryptionContext, { a: 'b' });
      assert.ok(ofKey[0]!.sequence < ofKey[1]!.sequence);
      assert.deepEqual((await store.listAuditEvents({ action: 'Encrypt', limit: 10 })).map((event) => event.keyId), ['k-audit', 'other']);
      assert.deepEqual((await store.listAuditEvents({ since: 300, limit: 10 })).map((event) => event.action), ['Encrypt', 'ListKeys']);
      const page = await store.listAuditEvents({ limit: 2 });
      assert.deepEqual((await store.listAuditEvents({ afterSequence: page[1]!.sequence, limit: 10 })).map((event) => event.at), [300, 400]);
      assert.equal((await store.listAuditEvents({ keyId: 'nothing', limit: 10 })).length, 0);
    });
  });
}

describe('the PostgreSQL audit table is append-only', () => {
  const schema = uniquePostgresSchema();
  after(async () => {
    await dropPostgresSchema(schema);
  });

  test('UPDATE, DELETE and TRUNCATE are refused', async () => {
    const store = await createKmsStore({ dataDir: tmpdir(), databaseUrl: postgresTestUrl(schema), region: 'test' });
    await store.appendAuditEvents([{ at: 1, requestId: 'r', principal: 'p', action: 'CreateKey', keyId: null, encryptionContext: null, outcome: 'success' }]);
    await store.close();
    const url = new URL(postgresTestUrl(schema));
    url.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      for (const sql of [`UPDATE ${schema}.kms_audit_events SET outcome = 'x'`, `DELETE FROM ${schema}.kms_audit_events`, `TRUNCATE ${schema}.kms_audit_events`]) {
        await assert.rejects(client.query(sql), /append-only/, sql);
      }
    } finally {
      await client.end();
    }
  });
});
