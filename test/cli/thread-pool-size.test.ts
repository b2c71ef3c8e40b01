import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadPoolSizeFor } from '../../src/cli/serve-workers.ts';

test('workers share about two libuv threads per core, two to four each', () => {
  assert.equal(threadPoolSizeFor(2, 2), 2, 'two workers on two cores: 4 threads in all, as one process has');
  assert.equal(threadPoolSizeFor(4, 2), 2);
  assert.equal(threadPoolSizeFor(8, 8), 2);
  assert.equal(threadPoolSizeFor(3, 8), 4, 'never more than Node\'s default of 4');
  assert.equal(threadPoolSizeFor(2, 64), 4, 'a container on a big host sees its cores, not its quota');
});
