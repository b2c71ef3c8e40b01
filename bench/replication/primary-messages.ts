/** What run.ts and primary-process.ts say to each other over the child's IPC channel. */

export interface PrimarySettings {
  dataDir: string;
  databaseUrl?: string;
  users: number;
  /** base64; the replica side uses the same root key (the multi-region key stand-in). */
  rootKey: string;
  credential: { accessKeyId: string; secretAccessKey: string };
}

export type PrimaryCommand =
  | { type: 'write'; perSecond: number; seconds: number }
  | { type: 'digest' }
  | { type: 'stop' };

export type PrimaryReply =
  | { type: 'ready'; url: string; poolId: string; populateSeconds: number; lastSequence: number }
  | { type: 'written'; firstSequence: number; acknowledgedAt: number[]; eventLoopDelay: EventLoopDelay }
  | { type: 'digest'; digest: string };

/** How long a process's event loop was held up (perf_hooks.monitorEventLoopDelay), in ms. */
export interface EventLoopDelay {
  p99: number;
  max: number;
}

/**
 * Milliseconds since the epoch with sub-millisecond resolution. Both processes read the same
 * system clock, so a time taken in one can be subtracted from a time taken in the other.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
