/**
 * Runs `work` on every item, at most `limit` at a time, and waits for all of them. Results come
 * back in the items' order whatever order they finished in, so what a command prints from them
 * does not depend on which region answered first.
 */
export async function settleInOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) };
      } catch (error) {
        results[index] = { status: 'rejected', reason: error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}

/**
 * settleInOrder, then the values; when some failed, the failure of the earliest item is thrown,
 * the one a loop calling them one after another would have stopped at.
 */
export async function mapInOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  return (await settleInOrder(items, limit, work)).map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
