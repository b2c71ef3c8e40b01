import { readdirSync, readFileSync } from 'node:fs';
/**
 * Closed-loop load: `concurrency` workers each send one request after another until `durationMs`
 * has passed; returns throughput and latency percentiles. Bounded in time, loopback only.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runLoad(concurrency: number, durationMs: number, request: (worker: number, iteration: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let iteration = 0; performance.now() < deadline; iteration += 1) {
        const begin = performance.now();
        const ok = await request(worker, iteration).catch(() => false);
        latencies.push(performance.now() - begin);
        if (!ok) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The process and all its descendants (a `serve --workers` primary with its workers), Linux only. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length; index += 1) {
    let children = '';
    try {
      children = readFileSync(`/proc/${tree[index]}/task/${tree[index]}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/)) if (child) tree.push(Number(child));
  }
  return tree;
}

/**
 * Peak resident set size in MiB (VmHWM) of a process and its descendants, summed: an upper bound
 * of what they held at once (each peaks at its own moment). Linux only.
 */
export async function peakRssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let kib = 0;
  for (const member of processTree(pid)) {
    const status = await readFile(`/proc/${member}/status`, 'utf8').catch(() => '');
    kib += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

/**
 * User + system CPU time so far of a process and its descendants (the workers of a `serve
 * --workers` primary), in milliseconds (Linux /proc; clock ticks of 10 ms). Take both readings
 * while the same processes run.
 */
export function processCpuMs(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited between the listing and the read.
    }
  }
  return ticks * 10;
}

/**
 * CPU time so far of a process tree split by thread: `main`, the JavaScript main threads (one per
 * process: what the server's own code, HTTP and JSON cost), and `other`, every other thread (libuv's
 * thread pool, where RS256 signatures and Argon2id run; V8's helpers). Milliseconds, Linux only.
 */
export function threadCpuMs(pid: number): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const member of processTree(pid)) {
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${member}/task`);
    } catch {
      continue;
    }
    for (const thread of threads) {
      try {
        const fields = readFileSync(`/proc/${member}/task/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ');
        const ms = (Number(fields[11]) + Number(fields[12])) * 10;
        if (thread === String(member)) main += ms;
        else other += ms;
      } catch {
        // Ended between the listing and the read.
      }
    }
  }
  return { main, other };
}

/** CPU time of this process (all its threads, so thread-pool crypto counts) spent in `work`, in ms. */
export async function ownCpuMs<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

export function machineDescription(): string {
  const os = process.platform;
  return `${os}, ${(globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? '?'} cores, Node ${process.version}`;
}
