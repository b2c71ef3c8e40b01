/**
 * The primary region of bench/replication, as its own process so the copy and the change stream
 * cross real loopback HTTP: a store populated with users through the domain code, the signed
 * change feed on Fastify, and on request a steady stream of user updates. Driven by run.ts over
 * the IPC channel (see primary-messages.ts); prints nothing but errors.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import { registerChangeFeedRoutes } from '../../src/replication/change-feed-routes.ts';
import { poolDigest } from '../../src/replication/pool-digest.ts';
import { createStore } from '../../src/store/create-store.ts';
import { createPool, loadPool } from '../../src/userpools/pools/pool-directory.ts';
import type { UserPoolServices } from '../../src/userpools/services.ts';
import { saveUser } from '../../src/userpools/users/user-directory.ts';
import { storePassword } from '../../src/userpools/users/password-storage.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../src/userpools/users/user-record.ts';
import { newRecordId } from '../../src/userpools/shared/identifiers.ts';
import { wallClockMs, type PrimaryCommand, type PrimaryReply, type PrimarySettings } from './primary-messages.ts';

const REGION = 'us-east-1';
/** Users per store transaction while populating: the bulk-import shape, not one request each. */
const POPULATE_BATCH = 500;

const settings = JSON.parse(process.env.BENCH_PRIMARY_SETTINGS ?? '{}') as PrimarySettings;
const send = (message: PrimaryReply) => process.send!(message);

const store = await createStore({ dataDir: settings.dataDir, region: REGION, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
const serviceKey = new ServiceKeyProvider(Buffer.from(settings.rootKey, 'base64'));
const vault = new PoolVault(store, new DataKeyCache(() => serviceKey, { ttlMs: 300_000 }));
// createPool reads only these members of the region's services.
const services = { region: REGION, accountId: '000000000000', publicUrl: 'http://127.0.0.1', vault, serviceKey, now: Date.now } as unknown as UserPoolServices;

const pool = await createPool(services, { name: 'bench', settings: {}, aliasAttributes: ['email'] });
const populated = await populate(pool.id, settings.users);

const app = Fastify({ logger: false });
registerChangeFeedRoutes(app, {
  store,
  credentials: (id) => (id === settings.credential.accessKeyId ? { ...settings.credential, principalArn: 'arn:meridian:replication' } : null),
  region: REGION,
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const userIds = populated.userIds;
send({ type: 'ready', url, poolId: pool.id, populateSeconds: populated.seconds, lastSequence: (await store.getPool(pool.id))!.lastSequence });

process.on('message', (command: PrimaryCommand) => {
  handle(command).catch((error: unknown) => {
    console.error('bench primary failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
});

async function handle(command: PrimaryCommand): Promise<void> {
  if (command.type === 'write') send({ type: 'written', ...(await writeSteadily(command.perSecond, command.seconds)) });
  else if (command.type === 'digest') send({ type: 'digest', digest: await poolDigest(store, pool.id) });
  else if (command.type === 'stop') {
    await app.close();
    await store.close();
    process.exit(0);
  }
}

/**
 * Users as AdminCreateUser makes them: attributes, a temporary password (one Argon2id hash and SRP
 * verifier computed once and reused, since hashing 100,000 passwords would measure Argon2id and not
 * the store; the stored bytes have the same size), saved through the domain's saveUser so each gets
 * its encrypted payload and its blind indexes (username, sub, sign-in alias, attribute lookups).
 */
async function populate(poolId: string, count: number): Promise<{ userIds: string[]; seconds: number }> {
  const password = await storePassword(poolId, 'template', `Tmp-${randomBytes(8).toString('hex')}!`, { temporary: true, validityDays: 7, now: Date.now() });
  const userIds: string[] = [];
  const started = performance.now();
  for (let first = 0; first < count; first += POPULATE_BATCH) {
    await vault.write(poolId, async (records) => {
      const current = await loadPool(records);
      for (let n = first; n < Math.min(count, first + POPULATE_BATCH); n += 1) {
        const now = Date.now();
        const user: UserRecord = {
          id: newRecordId(),
          username: `user${String(n).padStart(6, '0')}`,
          sub: randomUUID(),
          attributes: {
            email: `user${n}@example.com`,
            email_verified: 'true',
            phone_number: `+1555${String(n).padStart(7, '0')}`,
            name: `Bench User ${n}`,
            given_name: 'Bench',
            family_name: `User${n}`,
            locale: 'en-US',
          },
          enabled: true,
          status: 'FORCE_CHANGE_PASSWORD',
          createdAt: now,
          modifiedAt: now,
          password,
        };
        await saveUser(records, current, user);
        userIds.push(user.id);
      }
    });
  }
  return { userIds, seconds: (performance.now() - started) / 1000 };
}

/**
 * `perSecond` user attribute updates (read, change, saveUser: one change-log entry each) for
 * `seconds`, on a fixed schedule: a write that falls behind is sent at once, never skipped. Writes
 * go one after another, so the n-th write is sequence first + n and its acknowledgement time is when
 * its transaction call returned (committed with synchronous=FULL on SQLite).
 */
async function writeSteadily(perSecond: number, seconds: number): Promise<Omit<Extract<PrimaryReply, { type: 'written' }>, 'type'>> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const firstSequence = (await store.getPool(pool.id))!.lastSequence + 1;
  const total = Math.round(perSecond * seconds);
  const acknowledgedAt: number[] = [];
  const started = wallClockMs();
  for (let n = 0; n < total; n += 1) {
    const due = started + (n * 1000) / perSecond;
    const wait = due - wallClockMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = userIds[(n * 7919) % userIds.length]!;
    await vault.write(pool.id, async (records) => {
      const current = await loadPool(records);
      const user = await records.get<UserRecord>(USER_RECORD_KIND, id);
      if (!user) throw new Error('bench user missing');
      await saveUser(records, current, { ...user, attributes: { ...user.attributes, given_name: `Bench${n}` }, modifiedAt: Date.now() });
    });
    acknowledgedAt.push(wallClockMs());
  }
  const lastSequence = (await store.getPool(pool.id))!.lastSequence;
  if (lastSequence !== firstSequence + total - 1) throw new Error(`expected last sequence ${firstSequence + total - 1}, found ${lastSequence}`);
  delay.disable();
  return { firstSequence, acknowledgedAt, eventLoopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } };
}
