import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { FreshReadSharing } from '../../src/store/postgres/fresh-read-sharing.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { dropPostgresSchema, postgresTestUrl, storesSharingOneDatabase, uniquePostgresSchema } from '../support/stores.ts';

/** A read function whose reads the test answers one by one. */
function scriptedReads() {
  const sent: Array<{ key: string; answer(value: string): void; fail(error: Error): void }> = [];
  const read = (key: string) =>
    new Promise<string>((resolve, reject) => {
      sent.push({ key, answer: resolve, fail: reject });
    });
  return { sent, read };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FreshReadSharing', () => {
  test('a caller never gets the answer of a read sent before it called; callers waiting together share the next read', async () => {
    const { sent, read } = scriptedReads();
    const sharing = new FreshReadSharing(read);
    const first = sharing.get('pool');
    assert.equal(sent.length, 1);
    const second = sharing.get('pool');
    const third = sharing.get('pool');
    await settle();
    assert.equal(sent.length, 1, 'the later callers wait; they do not send reads of their own');

    sent[0]!.answer('v1');
    assert.equal(await first, 'v1');
    await settle();
    assert.equal(sent.length, 2, 'the next read goes out once the first returns');
    sent[1]!.answer('v2');
    assert.deepEqual(await Promise.all([second, third]), ['v2', 'v2']);

    await settle();
    assert.equal(sent.length, 2, 'nobody waiting: no further read');
    const later = sharing.get('pool');
    assert.equal(sent.length, 3, 'with nothing in flight a caller reads at once');
    sent[2]!.answer('v3');
    assert.equal(await later, 'v3');
  });

  test('keys do not wait for each other', async () => {
    const { sent, read } = scriptedReads();
    const sharing = new FreshReadSharing(read);
    const a = sharing.get('a');
    const b = sharing.get('b');
    assert.deepEqual(
      sent.map((entry) => entry.key),
      ['a', 'b'],
    );
    sent[1]!.answer('b1');
    assert.equal(await b, 'b1');
    sent[0]!.answer('a1');
    assert.equal(await a, 'a1');
  });

  test('a failed read fails only its own callers, and the next batch still reads', async () => {
    const { sent, read } = scriptedReads();
    const sharing = new FreshReadSharing(read);
    const first = sharing.get('pool');
    const second = sharing.get('pool');
    sent[0]!.fail(new Error('connection lost'));
    await assert.rejects(first, /connection lost/);
    await settle();
    sent[1]!.answer('v2');
    assert.equal(await second, 'v2');
  });

  test('a read that throws at once rejects its callers instead of throwing at them', async () => {
    let calls = 0;
    const sharing = new FreshReadSharing<string>(() => {
      calls += 1;
      if (calls === 1) throw new Error('not connected');
      return Promise.resolve('v2');
    });
    await assert.rejects(sharing.get('pool'), /not connected/);
    assert.equal(await sharing.get('pool'), 'v2');
  });
});

describe('PostgresStore.poolVersion with reads in flight', () => {
  test('a version read that begins after another server commits sees the commit', async () => {
    const { stores, dispose } = await storesSharingOneDatabase('postgres', 2, 'meridian-fresh-read-');
    const [reader, writer] = stores as [(typeof stores)[0], (typeof stores)[0]];
    try {
      const poolId = `us-east-1_${randomBytes(6).toString('hex')}`;
      await writer.createPool({ poolId, wrappedDataKey: Buffer.from('wrapped'), keyReference: 'service', createdAt: 1_000 }, async () => undefined);
      // Reads back to back in the background, as under load. This checks the store end to end; the
      // timing that would expose joining a read sent too early is rare on loopback, so the
      // scripted tests above are what pin the order down.
      let load = true;
      const background = (async () => {
        while (load) await Promise.all(Array.from({ length: 4 }, () => reader.poolVersion(poolId)));
      })();
      try {
        for (let round = 0; round < 20; round += 1) {
          const before = await reader.poolVersion(poolId);
          await writer.transaction(poolId, (tx) => tx.put('thing', `n${round}`, Buffer.from('x'), []));
          const after = await Promise.all(Array.from({ length: 4 }, () => reader.poolVersion(poolId)));
          for (const version of after) assert.notEqual(version, before, `round ${round}: a read begun after the commit sees it`);
        }
      } finally {
        load = false;
        await background;
      }
    } finally {
      await dispose();
    }
  });

  test('a read that does not answer fails its callers after the timeout, and the next read goes out', { timeout: 20_000 }, async () => {
    const schema = uniquePostgresSchema();
    const url = new URL(postgresTestUrl(schema));
    url.searchParams.delete('schema');
    const store = new PostgresStore(url.toString(), { schema, versionReadTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
    try {
      await store.migrate();
      const poolId = `us-east-1_${randomBytes(6).toString('hex')}`;
      await store.createPool({ poolId, wrappedDataKey: Buffer.from('wrapped'), keyReference: 'service', createdAt: 1_000 }, async () => undefined);
      const version = await store.poolVersion(poolId);
      // Holding an ACCESS EXCLUSIVE lock on `pools` makes every read of it wait: a read that never answers.
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE pools IN ACCESS EXCLUSIVE MODE');
      const stuck = store.poolVersion(poolId);
      const waiting = store.poolVersion(poolId);
      await assert.rejects(stuck, /timeout/i);
      await assert.rejects(waiting, /timeout/i, 'the callers waiting behind it are not left hanging');
      await locker.query('ROLLBACK');
      assert.equal(await store.poolVersion(poolId), version);
    } finally {
      await locker.end().catch(() => undefined);
      await store.close();
      await dropPostgresSchema(schema);
    }
  });
});
