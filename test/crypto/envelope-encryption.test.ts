import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DecryptionFailed, openAesGcm, sealAesGcm } from '../../src/crypto/aes-gcm.ts';
import { blindIndex } from '../../src/crypto/blind-index.ts';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import { EncryptedRecords } from '../../src/crypto/encrypted-records.ts';
import { KeyUnusable, type KeyProvider } from '../../src/crypto/key-provider.ts';
import { derivePoolKeys } from '../../src/crypto/pool-keys.ts';
import { parseRootKey } from '../../src/crypto/root-key.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import type { IndexEntry, PoolTransaction, StoredRecord } from '../../src/store/store.ts';

test('AES-GCM refuses a wrong key, wrong AAD, and any flipped byte', () => {
  const key = randomBytes(32);
  const sealed = sealAesGcm(key, Buffer.from('secret'), Buffer.from('aad'));
  assert.equal(openAesGcm(key, sealed, Buffer.from('aad')).toString(), 'secret');
  assert.throws(() => openAesGcm(randomBytes(32), sealed, Buffer.from('aad')), DecryptionFailed);
  assert.throws(() => openAesGcm(key, sealed, Buffer.from('other')), DecryptionFailed);
  for (let i = 0; i < sealed.length; i += 1) {
    const tampered = Buffer.from(sealed);
    tampered[i]! ^= 1;
    assert.throws(() => openAesGcm(key, tampered, Buffer.from('aad')), DecryptionFailed);
  }
});

test('the service key binds the encryption context: a wrapped key does not open for another pool', async () => {
  const provider = new ServiceKeyProvider(randomBytes(32));
  const { plaintext, wrapped } = await provider.generateDataKey({ userPoolId: 'us-east-1_a' });
  assert.deepEqual(await provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_a' }), plaintext);
  await assert.rejects(provider.unwrapDataKey(wrapped, { userPoolId: 'us-east-1_b' }), KeyUnusable);
  await assert.rejects(new ServiceKeyProvider(randomBytes(32)).unwrapDataKey(wrapped, { userPoolId: 'us-east-1_a' }), KeyUnusable);
});

test('root keys parse from hex or base64 and must be 32 bytes', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseRootKey(key.toString('hex')), key);
  assert.deepEqual(parseRootKey(key.toString('base64')), key);
  assert.throws(() => parseRootKey('abcd'));
});

test('blind indexes are deterministic per key and separate kinds and names', () => {
  const key = randomBytes(32);
  assert.equal(blindIndex(key, 'user', 'email', 'a@b.c'), blindIndex(key, 'user', 'email', 'a@b.c'));
  assert.notEqual(blindIndex(key, 'user', 'email', 'a@b.c'), blindIndex(key, 'user', 'username', 'a@b.c'));
  assert.notEqual(blindIndex(key, 'user', 'email', 'a@b.c'), blindIndex(randomBytes(32), 'user', 'email', 'a@b.c'));
  assert.ok(!blindIndex(key, 'user', 'email', 'a@b.c').includes('a@b.c'));
});

/** A minimal in-memory transaction, enough to see what EncryptedRecords hands the store. */
function memoryTransaction(poolId: string): PoolTransaction & { rows: Map<string, { payload: Buffer; indexes: IndexEntry[] }> } {
  const rows = new Map<string, { payload: Buffer; indexes: IndexEntry[] }>();
  const record = (kind: string, id: string): StoredRecord | null => {
    const row = rows.get(`${kind}/${id}`);
    return row ? { kind, id, payload: row.payload } : null;
  };
  return {
    poolId,
    rows,
    get: async (kind, id) => record(kind, id),
    findIds: async (kind, name, digest) =>
      [...rows.entries()].filter(([key, row]) => key.startsWith(`${kind}/`) && row.indexes.some((i) => i.name === name && i.digest === digest)).map(([key]) => key.split('/')[1]!),
    list: async () => ({ records: [], nextAfter: null }),
    listByIndex: async () => ({ records: [], nextAfter: null }),
    count: async () => rows.size,
    put: async (kind, id, payload, indexes) => void rows.set(`${kind}/${id}`, { payload, indexes }),
    delete: async (kind, id) => rows.delete(`${kind}/${id}`),
    setWrappedDataKey: async () => undefined,
  };
}

test('records are stored encrypted, bound to their row, and found through blind indexes only', async () => {
  const keys = derivePoolKeys(randomBytes(32), 'us-east-1_pool');
  const tx = memoryTransaction('us-east-1_pool');
  const records = new EncryptedRecords(tx, keys);
  await records.put('user', 'id-1', { email: 'known@example.com' }, [{ name: 'email', value: 'known@example.com' }]);
  const stored = tx.rows.get('user/id-1')!;
  assert.ok(!stored.payload.toString('latin1').includes('known@example.com'));
  assert.ok(!JSON.stringify(stored.indexes).includes('known@example.com'));
  assert.deepEqual((await records.find('user', 'email', 'known@example.com'))?.value, { email: 'known@example.com' });

  // The same ciphertext moved to another id (or pool) no longer opens: AAD binds pool, kind, id.
  tx.rows.set('user/id-2', stored);
  await assert.rejects(records.get('user', 'id-2'), DecryptionFailed);
  const otherPool = new EncryptedRecords({ ...tx, poolId: 'us-east-1_other' }, keys);
  await assert.rejects(otherPool.get('user', 'id-1'), DecryptionFailed);
});

test('the data-key cache reuses an unwrap until its lifetime ends, then asks the provider again', async () => {
  let now = 1_000;
  let unwraps = 0;
  let usable = true;
  const provider: KeyProvider = {
    reference: 'test',
    generateDataKey: async () => ({ plaintext: randomBytes(32), wrapped: Buffer.from('w') }),
    wrapDataKey: async () => Buffer.from('w'),
    checkAccess: async () => undefined,
    unwrapDataKey: async () => {
      unwraps += 1;
      if (!usable) throw new KeyUnusable('test', 'disabled');
      return Buffer.alloc(32, 7);
    },
  };
  const cache = new DataKeyCache(() => provider, { ttlMs: 300_000, now: () => now });
  const pool = { poolId: 'us-east-1_p', wrappedDataKey: Buffer.from('w'), keyReference: 'test', lastSequence: 0, createdAt: 0 };
  await cache.keysFor(pool);
  await cache.keysFor(pool);
  assert.equal(unwraps, 1);

  usable = false;
  now += 299_999;
  await cache.keysFor(pool);
  assert.equal(unwraps, 1, 'still cached just before the lifetime ends');
  now += 2;
  await assert.rejects(cache.keysFor(pool), KeyUnusable);
  usable = true;
  await cache.keysFor(pool);
  assert.equal(unwraps, 3, 'a failed unwrap is not cached');
});
