import { contextText, toAlias, toAuditEvent, toKey, toMaterial, type Row } from './kms-rows.ts';
import pg from 'pg';
import {
  KmsAliasExists,
  KmsKeyExists,
  type AuditEvent,
  type AuditQuery,
  type KeyChanges,
  type KmsStore,
  type StoredAlias,
  type StoredAuditEvent,
  type StoredKey,
  type StoredKeyMaterial,
} from './kms-store.ts';


/** SQLSTATE unique_violation (PostgreSQL Appendix A, Error Codes). */
const UNIQUE_VIOLATION = '23505';
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The KMS store on PostgreSQL, with a connection pool of its own on the same database (and schema)
 * as the pool store. Several processes may share it: key updates are compare-and-set on
 * `revision`, inserts rely on primary keys, so no lock is held across a round trip.
 */
export class PostgresKmsStore implements KmsStore {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(connectionString: string, options: { schema?: string } = {}) {
    const { schema } = options;
    if (schema !== undefined && !PLAIN_IDENTIFIER.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    // search_path as a startup parameter, as in PostgresStore: no statement can run in the wrong schema.
    this.pool = new pg.Pool({ connectionString, max: 8, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
    this.pool.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async insertKey(key: StoredKey, materials: StoredKeyMaterial[]): Promise<void> {
    await this.transaction(async (client) => {
      try {
        await client.query('INSERT INTO kms_keys (key_id, attributes, policy, revision, attention_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          key.keyId,
          key.attributes,
          key.policy,
          key.revision,
          key.attentionAt,
          key.createdAt,
        ]);
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new KmsKeyExists(key.keyId);
        throw error;
      }
      await insertMaterials(client, materials);
    });
  }

  async getKey(keyId: string): Promise<StoredKey | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM kms_keys WHERE key_id = $1', [keyId]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async listKeys(after: string | null, limit: number): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM kms_keys WHERE key_id > $1 ORDER BY key_id LIMIT $2', [after ?? '', limit]);
    return rows.map(toKey);
  }

  async updateKey(keyId: string, expectedRevision: number, changes: KeyChanges, newMaterials: StoredKeyMaterial[] = []): Promise<boolean> {
    return this.transaction(async (client) => {
      const updated = await client.query(
        'UPDATE kms_keys SET attributes = $1, policy = $2, attention_at = $3, revision = revision + 1 WHERE key_id = $4 AND revision = $5',
        [changes.attributes, changes.policy, changes.attentionAt, keyId, expectedRevision],
      );
      if (updated.rowCount === 0) return false;
      await insertMaterials(client, newMaterials);
      return true;
    });
  }

  async deleteKey(keyId: string): Promise<boolean> {
    return this.transaction(async (client) => {
      // The key row first: it waits for (and then defeats) any concurrent compare-and-set update.
      const deleted = await client.query('DELETE FROM kms_keys WHERE key_id = $1', [keyId]);
      await client.query('DELETE FROM kms_key_materials WHERE key_id = $1', [keyId]);
      await client.query('DELETE FROM kms_aliases WHERE key_id = $1', [keyId]);
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async keysDueBy(now: number, limit: number): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM kms_keys WHERE attention_at IS NOT NULL AND attention_at <= $1 ORDER BY attention_at, key_id LIMIT $2',
      [now, limit],
    );
    return rows.map(toKey);
  }

  async getMaterial(keyId: string, version: number): Promise<StoredKeyMaterial | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM kms_key_materials WHERE key_id = $1 AND version = $2', [keyId, version]);
    return rows[0] ? toMaterial(rows[0]) : null;
  }

  async listMaterials(keyId: string): Promise<StoredKeyMaterial[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM kms_key_materials WHERE key_id = $1 ORDER BY version', [keyId]);
    return rows.map(toMaterial);
  }

  async insertAlias(alias: StoredAlias): Promise<void> {
    try {
      await this.pool.query('INSERT INTO kms_aliases (alias_name, key_id, created_at, updated_at) VALUES ($1, $2, $3, $4)', [
        alias.aliasName,
        alias.keyId,
        alias.createdAt,
        alias.updatedAt,
      ]);
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new KmsAliasExists(alias.aliasName);
      throw error;
    }
  }

  async getAlias(aliasName: string): Promise<StoredAlias | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM kms_aliases WHERE alias_name = $1', [aliasName]);
    return rows[0] ? toAlias(rows[0]) : null;
  }

  async listAliases(keyId: string | null, after: string | null, limit: number): Promise<StoredAlias[]> {
    const { rows } =
      keyId === null
        ? await this.pool.query<Row>('SELECT * FROM kms_aliases WHERE alias_name > $1 ORDER BY alias_name LIMIT $2', [after ?? '', limit])
        : await this.pool.query<Row>('SELECT * FROM kms_aliases WHERE key_id = $1 AND alias_name > $2 ORDER BY alias_name LIMIT $3', [keyId, after ?? '', limit]);
    return rows.map(toAlias);
  }

  async retargetAlias(aliasName: string, keyId: string, updatedAt: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE kms_aliases SET key_id = $1, updated_at = $2 WHERE alias_name = $3', [keyId, updatedAt, aliasName]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteAlias(aliasName: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM kms_aliases WHERE alias_name = $1', [aliasName]);
    return (result.rowCount ?? 0) > 0;
  }

  async appendAuditEvents(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One multi-row INSERT: the events of a group commit cost one round trip.
    const values: unknown[] = [];
    const rows = events.map((event, index) => {
      values.push(event.at, event.requestId, event.principal, event.action, event.keyId, contextText(event.encryptionContext), event.outcome);
      const base = index * 7;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`;
    });
    await this.pool.query(
      `INSERT INTO kms_audit_events (at, request_id, principal, action, key_id, encryption_context, outcome) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  async listAuditEvents(query: AuditQuery): Promise<StoredAuditEvent[]> {
    const parameters: unknown[] = [query.afterSequence ?? 0];
    const conditions = ['sequence > $1'];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(`${sql} $${parameters.length}`);
    };
    if (query.keyId !== undefined) add('key_id =', query.keyId);
    if (query.action !== undefined) add('action =', query.action);
    if (query.since !== undefined) add('at >=', query.since);
    parameters.push(query.limit);
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM kms_audit_events WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map(toAuditEvent);
  }

  private async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let reusable = false;
    try {
      await client.query('BEGIN');
      try {
        const result = await body(client);
        await client.query('COMMIT');
        reusable = true;
        return result;
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => {
            reusable = true;
          },
          () => undefined,
        );
        throw error;
      }
    } finally {
      client.release(!reusable);
    }
  }
}

async function insertMaterials(client: pg.PoolClient, materials: StoredKeyMaterial[]): Promise<void> {
  for (const material of materials) {
    await client.query(
      `INSERT INTO kms_key_materials (key_id, version, material_id, wrapped_material, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key_id, version) DO NOTHING`,
      [material.keyId, material.version, material.materialId, material.wrapped, material.createdAt],
    );
  }
}

