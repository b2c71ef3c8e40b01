import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createStore, type CreateStoreOptions } from '../create-store.ts';
import type { KmsStore } from './kms-store.ts';
import { PostgresKmsStore } from './postgres-kms-store.ts';
import { SqliteKmsStore } from './sqlite-kms-store.ts';

/** Region names become file names; keep them from reaching outside `dataDir` (as createStore does). */
const SAFE_REGION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Opens the region's KMS store, schema up to date, with the same options as createStore:
 *
 * - PostgreSQL: the pool database (and `?schema=`), tables from the shared migrations (0003_kms),
 *   applied here through the pool store's migrator so either may start first;
 * - SQLite: `<dataDir>/<region>.kms.db`, a file of its own (see SqliteKmsStore for why).
 */
export async function createKmsStore({ dataDir, databaseUrl, region }: CreateStoreOptions): Promise<KmsStore> {
  if (databaseUrl) {
    const migrated = await createStore({ dataDir, databaseUrl, region });
    await migrated.close();
    const url = new URL(databaseUrl);
    // `schema` is Meridian's URL parameter (see createStore), not libpq's.
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    return new PostgresKmsStore(schema === null ? databaseUrl : url.toString(), schema ? { schema } : {});
  }
  if (!SAFE_REGION_NAME.test(region)) throw new Error(`region name ${JSON.stringify(region)} cannot name a database file`);
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteKmsStore(join(dataDir, `${region}.kms.db`));
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
