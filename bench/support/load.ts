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
  return summarize([await runSlice(concurrency, durationMs, request)]);
}

/** What one stretch of load gave, kept raw so stretches of the same workload add up. */
interface Slice {
  latencies: number[];
  errors: number;
  seconds: number;
}

async function runSlice(concurrency: number, durationMs: number, request: (worker: number, iteration: number) => Promise<boolean>, firstIteration = 0): Promise<Slice> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let iteration = firstIteration; performance.now() < deadline; iteration += 1) {
        const begin = performance.now();
        const ok = await request(worker, iteration).catch(() => false);
        latencies.push(performance.now() - begin);
        if (!ok) errors += 1;
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

function summarize(slices: Slice[]): LoadResult {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((a, b) => a - b);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  const errors = slices.reduce((sum, slice) => sum + slice.errors, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** One workload of `interleaved`: requests, and the server process whose CPU it costs (none for a floor). */
export interface Workload {
  request: (worker: number, iteration: number) => Promise<boolean>;
  serverPid?: number;
}

/** A workload's totals over all its slices. CPU in milliseconds per operation. */
export interface MeasuredWorkload extends LoadResult {
  /** This process (load generator, or the floor's own crypto), all threads. */
  ownCpuPerOp: number;
  /** The server's process tree, all threads (0 without serverPid). */
  serverCpuPerOp: number;
  /** The server's JavaScript main threads alone (0 without serverPid). */
  serverMainCpuPerOp: number;
}

/**
 * Runs the workloads in turn, `rounds` times over, each for `totalMs / rounds` per turn, and adds
 * up each one's slices. The VM this is measured on changes speed by tens of percent within
 * minutes; a server phase and the floor it is compared with, measured one after the other, can
 * land on different machines in effect. Interleaved, both see the same mix of fast and slow
 * stretches, so their ratio holds still even when single throughputs move. Between its turns a
 * server only idles (its timers cost nothing measurable).
 *
 * Each workload first runs one unmeasured turn, so that what is measured is the steady state, as
 * with wrk's or JMH's warm-up: a fresh server compiles its hot paths during its first seconds
 * under load, and a first measured turn cost up to 60% more server CPU per grant than the later ones
 * here.
 */
export async function interleaved<Name extends string>(
  concurrency: number,
  totalMs: number,
  rounds: number,
  workloads: Record<Name, Workload>,
): Promise<Record<Name, MeasuredWorkload>> {
  const names = Object.keys(workloads) as Name[];
  const totals = new Map<Name, { slices: Slice[]; ownCpuMs: number; serverCpuMs: number; serverMainCpuMs: number; iterations: number }>();
  for (const name of names) totals.set(name, { slices: [], ownCpuMs: 0, serverCpuMs: 0, serverMainCpuMs: 0, iterations: 0 });
  for (const name of names) await runSlice(concurrency, totalMs / rounds, workloads[name].request);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) {
      const workload = workloads[name];
      const total = totals.get(name)!;
      const serverBefore = workload.serverPid === undefined ? 0 : processCpuMs(workload.serverPid);
      const mainBefore = workload.serverPid === undefined ? 0 : threadCpuMs(workload.serverPid).main;
      const ownBefore = process.cpuUsage();
      const slice = await runSlice(concurrency, totalMs / rounds, workload.request, total.iterations);
      const own = process.cpuUsage(ownBefore);
      total.ownCpuMs += (own.user + own.system) / 1000;
      if (workload.serverPid !== undefined) {
        total.serverCpuMs += processCpuMs(workload.serverPid) - serverBefore;
        total.serverMainCpuMs += threadCpuMs(workload.serverPid).main - mainBefore;
      }
      total.slices.push(slice);
      total.iterations += slice.latencies.length;
    }
  }
  const results = {} as Record<Name, MeasuredWorkload>;
  for (const name of names) {
    const total = totals.get(name)!;
    const load = summarize(total.slices);
    const per = (ms: number) => (load.requests ? ms / load.requests : 0);
    results[name] = { ...load, ownCpuPerOp: per(total.ownCpuMs), serverCpuPerOp: per(total.serverCpuMs), serverMainCpuPerOp: per(total.serverMainCpuMs) };
  }
  return results;
}

/** Turns for `interleaved`: one per two seconds of a workload's time, at least one. */
export function roundsFor(seconds: number): number {
  return Math.max(1, Math.round(seconds / 2));
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
