#!/usr/bin/env node
// CommonJS (bin/package.json) on purpose: Node loads it before anything has used libuv's thread
// pool, whose size is fixed at its first use; an ES module entry is read through that pool
// already. Then the TypeScript sources run directly through tsx, so `npm install && npm start`
// needs no build.
'use strict';
const { defaultThreadPoolSize } = require('./thread-pool-size.cjs');

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(defaultThreadPoolSize());
  // Chosen here, not by the operator: `serve --workers` sizes its workers' pools itself.
  process.env.MERIDIAN_THREAD_POOL_DEFAULT = '1';
}

import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('../src/cli/main.ts');
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
