/**
 * A child process for the store concurrency tests: opens the store named by its arguments,
 * prints `ready`, waits for `go` on stdin, then increments one counter `count` times (all at once,
 * so they also overlap within this process) and prints the values it saw as one JSON line. Mode
 * `local`: a region-local counter through Store.updateLocal; mode `record`: a pool record read and
 * rewritten in one Store.transaction (what single-use authorization codes and confirmation codes
 * rely on).
 *
 * Arguments: <mode> <dataDir> <databaseUrl or -> <poolId> <count>
 */
import { createInterface } from 'node:readline';
import { createStore } from '../../src/store/create-store.ts';

const [mode, dataDir, databaseUrl, poolId, countText] = process.argv.slice(2) as [string, string, string, string, string];
const store = await createStore({ dataDir, region: 'test', ...(databaseUrl === '-' ? {} : { databaseUrl }) });
console.log('ready');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
lines.close();
const counted = (current: Buffer | null) => (current ? (JSON.parse(current.toString('utf8')) as { n: number }).n : 0) + 1;
const encoded = (n: number) => Buffer.from(JSON.stringify({ n }));
const increment =
  mode === 'record'
    ? () =>
        store.transaction(poolId, async (tx) => {
          const next = counted((await tx.get('counter', 'shared'))?.payload ?? null);
          await tx.put('counter', 'shared', encoded(next), []);
          return next;
        })
    : () =>
        store.updateLocal(poolId, 'counter', 'shared', (current) => {
          const next = counted(current);
          return { payload: encoded(next), result: next };
        });
const seen = await Promise.all(Array.from({ length: Number(countText) }, increment));
console.log(JSON.stringify(seen));
await store.close();
