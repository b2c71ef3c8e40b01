/**
 * A child process for the local-state concurrency test: opens the store named by its arguments,
 * prints `ready`, waits for `go` on stdin, then increments one region-local counter `count`
 * times through Store.updateLocal (all at once, so they also overlap within this process) and
 * prints the values it saw as one JSON line.
 *
 * Arguments: <dataDir> <databaseUrl or -> <poolId> <count>
 */
import { createInterface } from 'node:readline';
import { createStore } from '../../src/store/create-store.ts';

const [dataDir, databaseUrl, poolId, countText] = process.argv.slice(2) as [string, string, string, string];
const store = await createStore({ dataDir, region: 'test', ...(databaseUrl === '-' ? {} : { databaseUrl }) });
console.log('ready');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
lines.close();
const seen = await Promise.all(
  Array.from({ length: Number(countText) }, () =>
    store.updateLocal(poolId, 'counter', 'shared', (current) => {
      const next = (current ? (JSON.parse(current.toString('utf8')) as { n: number }).n : 0) + 1;
      return { payload: Buffer.from(JSON.stringify({ n: next })), result: next };
    }),
  ),
);
console.log(JSON.stringify(seen));
await store.close();
