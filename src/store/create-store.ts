import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface CreateStoreOptions {
  /** Folder for the embedded SQLite file; created if missing. Unused with PostgreSQL. */
  dataDir: string;
  /** `postgres://` or `postgresql://` URL, optionally with `?schema=NAME`; absent or empty means SQLite. */
  databaseUrl?: string;
  /** Names the SQLite file, so that several regions can share one data directory. */
  region: string;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;
/** Region names become file names; keep them from reaching outside `dataDir`. */
const SAFE_REGION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Opens the configured backend and brings its schema up to date before anyone can use it. */
export async function createStore(options: CreateStoreOptions): Promise<Store> {
  const store = openStore(options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openStore({ dataDir, databaseUrl, region }: CreateStoreOptions): Store {
  if (databaseUrl) {
    // Anything else is refused rather than falling back to SQLite: an operator who configured a
    // database must not end up writing to a local file by a typo.
    if (!POSTGRES_URL.test(databaseUrl)) {
      throw new Error('database URL must start with postgres:// or postgresql://');
    }
    const { connectionString, schema } = splitSchemaParameter(databaseUrl);
    return new PostgresStore(connectionString, schema === undefined ? {} : { schema });
  }
  if (!SAFE_REGION_NAME.test(region)) throw new Error(`region name ${JSON.stringify(region)} cannot name a database file`);
  mkdirSync(dataDir, { recursive: true });
  return new SqliteStore(join(dataDir, `${region}.db`));
}

/**
 * `schema` is Meridian's parameter, not libpq's: it is taken out so that the connection string left
 * is one any PostgreSQL client accepts (libpq rejects unknown URI parameters).
 */
function splitSchemaParameter(databaseUrl: string): { connectionString: string; schema?: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  if (schema === null) return { connectionString: databaseUrl };
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), ...(schema ? { schema } : {}) };
}
