import { randomUUID } from 'node:crypto';
import type { UsagePeers } from '../metering/usage-counter.ts';

/**
 * The messages between `meridian serve --workers` processes (node:cluster IPC). Every message
 * carries `meridian` = its type, so nothing else on the channel is mistaken for one.
 *
 * - worker -> primary `listening` once its region accepts requests (url, store backend);
 * - worker -> primary `flush-usage-request`: a usage read wants every other worker's pending M2M
 *   counts of a pool written; the primary sends `flush-usage` to each other worker, collects
 *   `usage-flushed` (or the worker's exit) and answers `usage-flush-done`.
 */
export type WorkerMessage =
  | { meridian: 'listening'; url: string; backend: string }
  | { meridian: 'flush-usage-request'; requestId: string; poolId: string }
  | { meridian: 'flush-usage'; requestId: string; poolId: string }
  | { meridian: 'usage-flushed'; requestId: string }
  | { meridian: 'usage-flush-done'; requestId: string };

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { meridian?: unknown }).meridian === 'string';
}

/**
 * A worker's side of UsagePeers over the IPC channel to the primary. `flushOthers` resolves when
 * the primary says every other worker flushed the pool.
 */
export function workerUsagePeers(channel: NodeJS.Process = process): UsagePeers {
  let flush: ((poolId: string) => Promise<void>) | null = null;
  const waiting = new Map<string, () => void>();
  channel.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.meridian === 'flush-usage') {
      // A failed write keeps the counts pending in this worker (UsageCounter retries them); the
      // asker is answered anyway rather than left waiting.
      void (flush?.(message.poolId) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => sendToPrimary(channel, { meridian: 'usage-flushed', requestId: message.requestId }));
    } else if (message.meridian === 'usage-flush-done') {
      waiting.get(message.requestId)?.();
    }
  });
  return {
    flushOthers(poolId) {
      const requestId = randomUUID();
      return new Promise<void>((resolve) => {
        waiting.set(requestId, () => {
          waiting.delete(requestId);
          resolve();
        });
        if (!sendToPrimary(channel, { meridian: 'flush-usage-request', requestId, poolId })) waiting.get(requestId)?.();
      });
    },
    onFlushRequest(handler) {
      flush = handler;
    },
  };
}

/** False when the channel is gone (the primary died): there is nobody left to ask. */
export function sendToPrimary(channel: NodeJS.Process, message: WorkerMessage): boolean {
  if (!channel.send || !channel.connected) return false;
  channel.send(message);
  return true;
}
