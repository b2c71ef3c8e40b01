import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { isWorkerMessage, type WorkerMessage } from '../regions/worker-messages.ts';

/** How long stopping workers may take before they are killed (a load balancer's patience). */
const STOP_GRACE_MS = 10_000;
/** A usage read waits at most this long for the other workers' flushes. */
const FLUSH_WAIT_MS = 10_000;

export interface WorkerPoolEvents {
  /** Every worker listens: what the first one reported (all share one port through the primary). */
  listening(first: { url: string; backend: string }): void;
  /** A worker ended while the region was not stopping: the caller stops the rest and fails. */
  failed(description: string): void;
}

/**
 * libuv threads per worker, unless the operator set UV_THREADPOOL_SIZE: RS256 signatures and
 * Argon2id hashes run there, so together the workers get about two per core, as one process gets
 * from Node's default of 4 on two cores, instead of 4 each. More threads than that only take turns
 * on the same cores, and concurrent Argon2id hashes (19 MiB each) evict each other from the
 * caches: with 4 per worker, two workers spent 17-53% more CPU per sign-in than the floor here.
 * Never more than Node's 4 per worker: `cores` ignores a container's CPU quota on Node 20, and
 * each concurrent hash costs 19 MiB.
 */
export function threadPoolSizeFor(workers: number, cores = availableParallelism()): number {
  return Math.max(2, Math.min(4, Math.ceil((2 * cores) / workers)));
}

export interface WorkerPool {
  /** Stops every worker (SIGTERM, then SIGKILL after STOP_GRACE_MS); resolves once all exited. */
  stop(): Promise<void>;
}

/**
 * The primary of `meridian serve --workers <n>`: forks n workers (node:cluster, same script and
 * arguments) that each run the whole region on the shared listening socket, reports when all
 * listen, relays usage-flush requests between them, and stops them. It serves no request itself.
 */
export function startWorkerPool(count: number, events: WorkerPoolEvents): WorkerPool {
  const workers = new Set<Worker>();
  const listening = new Map<Worker, { url: string; backend: string }>();
  /** Open usage-flush rounds: who asked, and which workers have still to answer. */
  const rounds = new Map<string, { asker: Worker; pending: Set<Worker>; timer: NodeJS.Timeout }>();
  let stopping = false;
  let reported = false;

  const finishRound = (requestId: string) => {
    const round = rounds.get(requestId);
    if (!round) return;
    clearTimeout(round.timer);
    rounds.delete(requestId);
    send(round.asker, { meridian: 'usage-flush-done', requestId });
  };
  const answered = (worker: Worker, requestId: string) => {
    const round = rounds.get(requestId);
    if (!round) return;
    round.pending.delete(worker);
    if (round.pending.size === 0) finishRound(requestId);
  };

  const onMessage = (worker: Worker, message: WorkerMessage) => {
    switch (message.meridian) {
      case 'listening':
        listening.set(worker, { url: message.url, backend: message.backend });
        if (!reported && listening.size === count) {
          reported = true;
          events.listening([...listening.values()][0]!);
        }
        return;
      case 'flush-usage-request': {
        const others = [...workers].filter((other) => other !== worker && listening.has(other));
        const timer = setTimeout(() => finishRound(message.requestId), FLUSH_WAIT_MS);
        timer.unref();
        rounds.set(message.requestId, { asker: worker, pending: new Set(others), timer });
        if (others.length === 0) return finishRound(message.requestId);
        for (const other of others) send(other, { meridian: 'flush-usage', requestId: message.requestId, poolId: message.poolId });
        return;
      }
      case 'usage-flushed':
        return answered(worker, message.requestId);
      default:
        return;
    }
  };

  // bin/meridian.js sets a default for one process (MERIDIAN_THREAD_POOL_DEFAULT); workers get their share instead.
  const operatorSet = process.env.UV_THREADPOOL_SIZE && process.env.MERIDIAN_THREAD_POOL_DEFAULT !== '1' ? process.env.UV_THREADPOOL_SIZE : undefined;
  const environment = { UV_THREADPOOL_SIZE: operatorSet ?? String(threadPoolSizeFor(count)) };
  for (let index = 0; index < count; index += 1) {
    const worker = cluster.fork(environment);
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) onMessage(worker, message);
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      listening.delete(worker);
      // A worker that is gone has nothing pending to flush.
      for (const [requestId] of rounds) answered(worker, requestId);
      if (!stopping) events.failed(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`})`);
    });
  }

  return {
    async stop() {
      stopping = true;
      const exits = [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
            const killer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
            killer.unref();
          }),
      );
      await Promise.all(exits);
    },
  };
}

function send(worker: Worker, message: WorkerMessage): void {
  if (worker.isConnected()) worker.send(message);
}
