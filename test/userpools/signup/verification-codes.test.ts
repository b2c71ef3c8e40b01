import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { EncryptedRecords } from '../../../src/crypto/encrypted-records.ts';
import { derivePoolKeys } from '../../../src/crypto/pool-keys.ts';
import type { PoolTransaction, StoredRecord } from '../../../src/store/store.ts';
import { maskDestination } from '../../../src/userpools/codes/code-delivery.ts';
import {
  CODE_VALIDITY_MS,
  codeError,
  generateCode,
  MAX_CODE_ATTEMPTS,
  peekCode,
  redeemCode,
  storeCode,
  VERIFICATION_CODE_KIND,
} from '../../../src/userpools/codes/verification-codes.ts';

/** Encrypted records over an in-memory transaction, to look at what codes leave behind. */
function memoryRecords(): EncryptedRecords {
  const rows = new Map<string, Buffer>();
  const tx: PoolTransaction = {
    poolId: 'us-east-1_codes0000',
    get: async (kind, id): Promise<StoredRecord | null> => {
      const payload = rows.get(`${kind}/${id}`);
      return payload ? { kind, id, payload } : null;
    },
    findIds: async () => [],
    list: async () => ({ records: [], nextAfter: null }),
    listByIndex: async () => ({ records: [], nextAfter: null }),
    count: async () => rows.size,
    put: async (kind, id, payload) => void rows.set(`${kind}/${id}`, payload),
    delete: async (kind, id) => rows.delete(`${kind}/${id}`),
    setWrappedDataKey: async () => undefined,
  };
  return new EncryptedRecords(tx, derivePoolKeys(randomBytes(32), tx.poolId));
}

test('codes are six digits from the whole range', () => {
  const codes = Array.from({ length: 2000 }, generateCode);
  for (const code of codes) assert.match(code, /^\d{6}$/);
  assert.ok(new Set(codes).size > 1990, 'codes do not repeat in practice');
  assert.ok(codes.some((code) => code.startsWith('0')), 'leading zeros are kept');
});

test('only a keyed hash of the code is stored; single use; expiry; bounded attempts', async () => {
  const records = memoryRecords();
  const now = 1_000_000;
  const code = '042917';
  await storeCode(records, { userId: 'u1', purpose: 'forgot-password', code, now, attribute: 'email', destination: 'a@example.com', limited: true });
  const stored = await records.get<Record<string, unknown>>(VERIFICATION_CODE_KIND, 'u1.forgot-password');
  assert.ok(stored);
  assert.doesNotMatch(JSON.stringify(stored), new RegExp(code), 'the code is not in the record');
  assert.doesNotMatch(JSON.stringify(stored), /a@example\.com/, 'nor the address');

  const attempt = { userId: 'u1', purpose: 'forgot-password' as const, now };
  assert.equal((await peekCode(records, { ...attempt, code })).outcome, 'accepted');
  assert.equal((await redeemCode(records, { ...attempt, code }, { consume: false })).outcome, 'accepted');
  assert.equal((await redeemCode(records, { ...attempt, code })).outcome, 'accepted');
  assert.equal((await redeemCode(records, { ...attempt, code })).outcome, 'expired', 'a used code is gone');

  await storeCode(records, { userId: 'u1', purpose: 'forgot-password', code, now, limited: true });
  assert.equal((await peekCode(records, { ...attempt, code, now: now + CODE_VALIDITY_MS['forgot-password'] })).outcome, 'expired');
  for (let i = 1; i <= MAX_CODE_ATTEMPTS; i += 1) assert.equal((await redeemCode(records, { ...attempt, code: '000000' })).outcome, 'mismatch');
  assert.equal((await redeemCode(records, { ...attempt, code })).outcome, 'exhausted');
  assert.equal(codeError({ outcome: 'exhausted' }).name, 'LimitExceededException');
  assert.equal(codeError({ outcome: 'expired' }).name, 'ExpiredCodeException');
  assert.equal(codeError({ outcome: 'mismatch' }).name, 'CodeMismatchException');

  assert.equal((await redeemCode(records, { userId: 'u2', purpose: 'sign-up', code, now })).outcome, 'expired', 'no code was requested');
});

test('the same code issued twice hashes differently, and codes of one user do not open another', async () => {
  const records = memoryRecords();
  await storeCode(records, { userId: 'u1', purpose: 'sign-up', code: '111111', now: 0, limited: false });
  const first = await records.get<{ digest: string }>(VERIFICATION_CODE_KIND, 'u1.sign-up');
  await storeCode(records, { userId: 'u1', purpose: 'sign-up', code: '111111', now: 0, limited: false });
  const second = await records.get<{ digest: string }>(VERIFICATION_CODE_KIND, 'u1.sign-up');
  assert.notEqual(first!.digest, second!.digest);
  await storeCode(records, { userId: 'u2', purpose: 'sign-up', code: '222222', now: 0, limited: false });
  assert.equal((await peekCode(records, { userId: 'u2', purpose: 'sign-up', code: '111111', now: 0 })).outcome, 'mismatch');
  assert.equal((await peekCode(records, { userId: 'u1', purpose: 'forgot-password', code: '111111', now: 0 })).outcome, 'expired', 'purposes are apart');
});

test('destinations are masked as Cognito shows them', () => {
  assert.equal(maskDestination('EMAIL', 'alice@example.com'), 'a***@e***');
  assert.equal(maskDestination('EMAIL', 'Z@x.io'), 'Z***@x***');
  assert.equal(maskDestination('SMS', '+12065550123'), '+*******0123');
  assert.equal(maskDestination('SMS', '+447700900123'), '+********0123');
});
