/**
 * Starts several things at once and returns them all, or, when any fails to start, stops the ones
 * that did start before rethrowing: a `before` hook that fails half-way must not leave a server
 * running (the test file would never exit).
 */
export async function startAll<T extends readonly unknown[]>(
  starts: { [K in keyof T]: Promise<T[K]> },
  stop: (started: unknown) => Promise<unknown>,
): Promise<T> {
  const settled = await Promise.allSettled(starts as readonly Promise<unknown>[]);
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    for (const outcome of settled) if (outcome.status === 'fulfilled') await stop(outcome.value).catch(() => undefined);
    throw (failure as PromiseRejectedResult).reason;
  }
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Stops whatever startAll started: a test region (`stop`), a browser or a server (`close`). */
export async function stopStarted(started: unknown): Promise<void> {
  const value = started as { stop?: () => Promise<unknown>; close?: () => Promise<unknown> };
  if (typeof value.stop === 'function') await value.stop();
  else if (typeof value.close === 'function') await value.close();
}
