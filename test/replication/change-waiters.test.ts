import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChangeWaiters } from '../../src/replication/change-waiters.ts';

describe('change waiters (the feed long-poll)', () => {
  test('a waiter is released by a commit after its sequence, not by one at or before it', async () => {
    const waiters = new ChangeWaiters();
    const outcome = waiters.wait('p1', 5, 60_000);
    waiters.announce('p1', 5);
    waiters.announce('p2', 9);
    assert.equal(waiters.size, 1);
    waiters.announce('p1', 6);
    assert.equal(await outcome, 'changed');
    assert.equal(waiters.size, 0);
  });

  test('a commit announced before the wait began is not missed', async () => {
    const waiters = new ChangeWaiters();
    waiters.announce('p1', 3);
    assert.equal(await waiters.wait('p1', 2, 60_000), 'changed');
    assert.equal(waiters.size, 0);
  });

  test('times out, aborts with its signal, and closing releases everyone', async () => {
    const waiters = new ChangeWaiters();
    assert.equal(await waiters.wait('p1', 0, 1), 'timeout');
    const gone = new AbortController();
    const aborted = waiters.wait('p1', 0, 60_000, gone.signal);
    gone.abort();
    assert.equal(await aborted, 'aborted');
    const held = [waiters.wait('p1', 0, 60_000), waiters.wait('p2', 0, 60_000)];
    waiters.close();
    assert.deepEqual(await Promise.all(held), ['closed', 'closed']);
    assert.equal(waiters.size, 0);
    assert.equal(waiters.canWait(), false);
    assert.equal(await waiters.wait('p1', 0, 60_000), 'closed');
  });

  test('is bounded: past the maximum nobody is held', async () => {
    const waiters = new ChangeWaiters(2);
    const held = [waiters.wait('p1', 0, 60_000), waiters.wait('p1', 0, 60_000)];
    assert.equal(waiters.canWait(), false);
    assert.equal(await waiters.wait('p1', 0, 60_000), 'closed');
    waiters.announce('p1', 1);
    assert.deepEqual(await Promise.all(held), ['changed', 'changed']);
    assert.equal(waiters.canWait(), true);
  });
});
