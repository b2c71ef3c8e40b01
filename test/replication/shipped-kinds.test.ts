import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EncryptedRecords, WritableRecords } from '../../src/crypto/encrypted-records.ts';
import { sweepExpiredRecords } from '../../src/crypto/expired-record-sweep.ts';
import { mergeShipment, type ShippedKind } from '../../src/replication/shipped-kinds.ts';

/** A kind whose merge changes what `changes` says, recording its merges and sweeps. */
function recordingKind(kind: string, changes: (id: string) => boolean) {
  const merges: string[] = [];
  const sweeps: number[] = [];
  const shipped: ShippedKind = {
    kind,
    merge: async (_records, id) => {
      merges.push(id);
      return changes(id);
    },
    sweep: async (_records, _now, merged) => {
      sweeps.push(merged);
    },
  };
  return { shipped, merges, sweeps };
}

const records = {} as EncryptedRecords;

describe('mergeShipment', () => {
  test('merges every value in order, then sweeps each kind that changed once, with how many it merged', async () => {
    const revoked = recordingKind('revoked', (id) => id !== 'known');
    const codes = recordingKind('codes', () => false);
    const signOuts: ShippedKind = { kind: 'sign-out', merge: async () => true };
    const values = [
      { shipped: revoked.shipped, id: 'a', value: {} },
      { shipped: codes.shipped, id: 'c', value: {} },
      { shipped: revoked.shipped, id: 'known', value: {} },
      { shipped: signOuts, id: 'u', value: {} },
      { shipped: revoked.shipped, id: 'b', value: {} },
    ];
    assert.equal(await mergeShipment(records, values, 1_000), 3);
    assert.deepEqual(revoked.merges, ['a', 'known', 'b']);
    assert.deepEqual(revoked.sweeps, [2], 'one sweep for the shipment, told of the two it added');
    assert.deepEqual(codes.sweeps, [], 'nothing merged: no sweep');
  });
});

describe('sweepExpiredRecords', () => {
  /** A writable kind of `count` records, all expired, counting what the sweep lists. */
  function expiredRecords(count: number) {
    const ids = Array.from({ length: count }, (_, index) => `r${String(index).padStart(5, '0')}`);
    const kept = new Set(ids);
    const limits: number[] = [];
    const writable = {
      list: async (_kind: string, after: string | null, limit: number) => {
        limits.push(limit);
        const page = ids.filter((id) => kept.has(id) && (after === null || id > after)).slice(0, limit);
        return { items: page.map((id) => ({ id, value: { expired: true } })), nextAfter: page.length === limit ? page[page.length - 1]! : null };
      },
      delete: async (_kind: string, id: string) => kept.delete(id),
    } as unknown as WritableRecords;
    return { writable, kept, limits };
  }

  test('a caller that added several looks at twice as many, within a bound', async () => {
    const { writable, limits } = expiredRecords(2_000);
    const poolId = `pool-${Math.random()}`;
    const expired = (value: { expired: boolean }) => value.expired;
    await sweepExpiredRecords(poolId, writable, 'k', expired);
    await sweepExpiredRecords(poolId, writable, 'k', expired, 40);
    await sweepExpiredRecords(poolId, writable, 'k', expired, 200);
    await sweepExpiredRecords(poolId, writable, 'k', expired, 10_000);
    assert.deepEqual(limits, [25, 80, 400, 500]);
  });
});
