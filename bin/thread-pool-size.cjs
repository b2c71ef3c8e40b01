'use strict';
const { availableParallelism } = require('node:os');

/**
 * libuv threads for one Meridian process when the operator did not set UV_THREADPOOL_SIZE: one
 * per core, at least 2 and at most Node's default of 4. RS256 signatures and Argon2id hashes run
 * there and never wait on I/O, so more threads than cores only take turns with each other and
 * with the main thread, which parses, routes and answers every request. On 2 cores, 2 threads
 * against Node's 4 gave +5-8 points on every benchmark ratio (docs/BENCHMARKS.md). The cap: Node
 * 20 counts the host's cores, not a container's quota, and each concurrent hash takes 19 MiB.
 * `serve --workers n` gives its workers their own share (src/cli/serve-workers.ts).
 */
function defaultThreadPoolSize(cores = availableParallelism()) {
  return Math.max(2, Math.min(4, cores));
}

module.exports = { defaultThreadPoolSize };
