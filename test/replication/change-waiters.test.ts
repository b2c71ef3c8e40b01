import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChangeWaiters, type HeldRequest } from '../../src/replication/change-waiters.ts';

function held(waiters: ChangeWaiters): HeldRequest {
  const hold = waiters.hold();
  assert.ok(hold, 'the feed should hold this request');
  return hold;
}

describe('change waiters (the feed long-poll)', () => {
  test('a waiter is released by a commit after its sequence, not by one at or before it', async () => {
    const waiters = new ChangeWaiters();
    const outcome = held(waiters).wait('p1', 5, 60_000);
    waiters.announce('p1', 5);
    waiters.announce('p2', 9);
    waiters.announce('p1', 6);
    assert.equal(await outcome, 'changed');
  });

  test('a commit announced before the wait began is not missed', async () => {
    const waiters = new ChangeWaiters();
    waiters.announce('p1', 3);
    assert.equal(await held(waiters).wait('p1', 2, 60_000), 'changed');
  });

  test('times out, aborts with its signal, and closing releases everyone', async () => {
    const waiters = new ChangeWaiters();
    const request = held(waiters);
    assert.equal(await request.wait('p1', 0, 1), 'timeout');
    const gone = new AbortController();
    const aborted = request.wait('p1', 0, 60_000, gone.signal);
    gone.abort();
    assert.equal(await aborted, 'aborted');
    const other = held(waiters);
    const waiting = [request.wait('p1', 0, 60_000), other.wait('p2', 0, 60_000)];
    assert.equal(request.feedClosed(), false);
    waiters.close();
    assert.deepEqual(await Promise.all(waiting), ['closed', 'closed']);
    assert.equal(request.feedClosed(), true);
    assert.equal(await request.wait('p1', 0, 60_000), 'closed');
    assert.equal(waiters.hold(), null);
  });

  test('is bounded by requests, not by waits: a held request keeps its place between its waits', async () => {
    const waiters = new ChangeWaiters(2);
    const first = held(waiters);
    const second = held(waiters);
    assert.equal(waiters.size, 2);
    assert.equal(waiters.hold(), null, 'full: a third request is answered at once');
    // Between two waits (a held request re-reading the log) the place stays taken.
    assert.equal(await first.wait('p1', 0, 1), 'timeout');
    assert.equal(waiters.hold(), null);
    const waiting = [first.wait('p1', 0, 60_000), second.wait('p1', 0, 60_000)];
    waiters.announce('p1', 1);
    assert.deepEqual(await Promise.all(waiting), ['changed', 'changed']);
    first.release();
    first.release();
    assert.equal(waiters.size, 1, 'release is idempotent');
    assert.equal(await first.wait('p1', 0, 60_000), 'closed', 'a released request no longer waits');
    assert.ok(waiters.hold());
  });
});
