import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadPoolSizeFor } from '../../src/cli/serve-workers.ts';
import { startRegionProcess } from '../support/region-process.ts';

/** bin/thread-pool-size.cjs: plain CommonJS, since it runs before tsx is registered. */
const { defaultThreadPoolSize } = createRequire(import.meta.url)('../../bin/thread-pool-size.cjs') as { defaultThreadPoolSize(cores?: number): number };

test('workers share about two libuv threads per core, two to four each', () => {
  assert.equal(threadPoolSizeFor(2, 2), 2, 'two workers on two cores: 4 threads in all, as one process has');
  assert.equal(threadPoolSizeFor(4, 2), 2);
  assert.equal(threadPoolSizeFor(8, 8), 2);
  assert.equal(threadPoolSizeFor(3, 8), 4, 'never more than Node\'s default of 4');
  assert.equal(threadPoolSizeFor(2, 64), 4, 'a container on a big host sees its cores, not its quota');
});

test('one process sizes libuv\'s thread pool to the cores, two to four, unless the operator set UV_THREADPOOL_SIZE', async () => {
  assert.equal(defaultThreadPoolSize(1), 2);
  assert.equal(defaultThreadPoolSize(2), 2, 'one thread per core: more only take turns with the main thread');
  assert.equal(defaultThreadPoolSize(3), 3);
  assert.equal(defaultThreadPoolSize(64), 4, 'never more than Node\'s default of 4');

  // What the running process really has: its thread count against one told to use 4 threads
  // (libuv starts the whole pool at its first use, during start-up).
  const threads = async (extraEnv: Record<string, string>) => {
    const folder = mkdtempSync(join(tmpdir(), 'meridian-pool-'));
    const region = await startRegionProcess({ dataDir: folder, region: 'us-east-1', extraEnv });
    try {
      return readdirSync(`/proc/${region.pid}/task`).length;
    } finally {
      await region.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  };
  const chosen = await threads({});
  const four = await threads({ UV_THREADPOOL_SIZE: '4' });
  assert.equal(four - chosen, 4 - defaultThreadPoolSize(availableParallelism()));
});
