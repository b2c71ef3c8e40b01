import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';

/** The test database; MERIDIAN_TEST_DATABASE_URL points the suite elsewhere (no `?schema=` in it). */
const POSTGRES_TEST_DATABASE = process.env.MERIDIAN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface OpenStore<S = Store> {
  store: S;
  /** Closes the store and deletes everything it wrote. */
  dispose(): Promise<void>;
}

export interface StoreBackend<S = Store> {
  name: 'sqlite' | 'postgres';
  /** A migrated store on fresh, private storage, so tests can run in parallel. */
  open(): Promise<OpenStore<S>>;
}

/** How a store of some kind is opened: the pool store's createStore, the KMS store's createKmsStore. */
type StoreFactory<S> = (options: { dataDir: string; databaseUrl?: string; region: string }) => Promise<S>;

/** Both backends of a store kind, each on fresh private storage (a temp folder, a fresh schema). */
export function backendsOf<S extends { close(): Promise<void> }>(create: StoreFactory<S>, folderPrefix: string): Array<StoreBackend<S>> {
  return [
    {
      name: 'sqlite',
      async open() {
        const dataDir = await mkdtemp(join(tmpdir(), folderPrefix));
        const store = await create({ dataDir, region: 'test' });
        return {
          store,
          async dispose() {
            await store.close();
            await rm(dataDir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      async open() {
        const schema = uniquePostgresSchema();
        const store = await create({ dataDir: tmpdir(), databaseUrl: postgresTestUrl(schema), region: 'test' });
        return {
          store,
          async dispose() {
            await store.close();
            await dropPostgresSchema(schema);
          },
        };
      },
    },
  ];
}

/** Both backends of the pool store, for suites that must hold for each (loop with `describe`). */
export function storeBackends(): StoreBackend[] {
  return backendsOf(createStore, 'meridian-store-');
}

/** A schema name no other test run uses: `meridian_test_<random>`. */
export function uniquePostgresSchema(): string {
  return `meridian_test_${randomBytes(6).toString('hex')}`;
}

/** The test database URL with `?schema=`, e.g. for `meridian serve --database` in server tests. */
export function postgresTestUrl(schema: string): string {
  const url = new URL(POSTGRES_TEST_DATABASE);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Removes a test schema and everything in it; a schema that was never created is fine. */
export async function dropPostgresSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_DATABASE });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Several stores on one fresh database (a temporary SQLite directory, or a PostgreSQL schema of its
 * own), as the processes of a region share one: for tests of what crosses connections. Opened one
 * after the other, so the first migrates; `dispose` closes them and drops the database.
 */
export async function storesSharingOneDatabase(backend: 'sqlite' | 'postgres', count: number, folderPrefix: string): Promise<{ stores: Store[]; dispose(): Promise<void> }> {
  let location: { dataDir: string; databaseUrl?: string };
  let cleanup: () => Promise<void>;
  if (backend === 'sqlite') {
    const dataDir = await mkdtemp(join(tmpdir(), folderPrefix));
    location = { dataDir };
    cleanup = () => rm(dataDir, { recursive: true, force: true });
  } else {
    const schema = uniquePostgresSchema();
    location = { dataDir: tmpdir(), databaseUrl: postgresTestUrl(schema) };
    cleanup = () => dropPostgresSchema(schema);
  }
  const stores: Store[] = [];
  for (let index = 0; index < count; index += 1) stores.push(await createStore({ ...location, region: 'test' }));
  return {
    stores,
    async dispose() {
      for (const store of stores) await store.close();
      await cleanup();
    },
  };
}
