import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapInOrder, settleInOrder } from '../../src/cli/in-order.ts';

/** A promise settled by hand, to decide in which order work finishes. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('work in parallel, results in order (the CLI asking regions)', () => {
  test('results keep the order of the items, not of completion, with at most `limit` running', async () => {
    const pending = [deferred<string>(), deferred<string>(), deferred<string>()];
    let running = 0;
    let most = 0;
    const mapped = mapInOrder([0, 1, 2], 2, async (index) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await pending[index]!.promise;
      } finally {
        running -= 1;
      }
    });
    pending[1]!.resolve('b');
    pending[0]!.resolve('a');
    pending[2]!.resolve('c');
    assert.deepEqual(await mapped, ['a', 'b', 'c']);
    assert.equal(most, 2);
  });

  test("the earliest item's failure is the one thrown, whichever failed first", async () => {
    const pending = [deferred<string>(), deferred<string>(), deferred<string>()];
    const mapped = mapInOrder([0, 1, 2], 3, (index) => pending[index]!.promise);
    pending[2]!.reject(new Error('third'));
    pending[0]!.resolve('a');
    pending[1]!.reject(new Error('second'));
    await assert.rejects(mapped, /second/);
  });

  test('settled results say which failed', async () => {
    const settled = await settleInOrder(['ok', 'bad'], 4, async (item) => {
      if (item === 'bad') throw new Error('bad');
      return item;
    });
    assert.deepEqual(settled.map((result) => result.status), ['fulfilled', 'rejected']);
    assert.deepEqual(await settleInOrder([], 4, async () => 1), []);
  });
});
