import { contextText, toAlias, toAuditEvent, toKey, toMaterial, type Row } from './kms-rows.ts';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
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


/** How long a write keeps retrying while another process holds the database lock. */
const BUSY_DEADLINE_MS = 10_000;

/** The KMS schema on SQLite, version 1 (the file is read once, at first use). */
const SCHEMA_FILE = fileURLToPath(new URL('./sqlite-kms-schema.sql', import.meta.url));
const SCHEMA_VERSION = 1;

/**
 * The KMS store on SQLite, in a database file of its own (`<region>.kms.db` beside the pool
 * store's `<region>.db`).
 *
 * Why not the pool store's file: SQLite has one writer per file, and the pool store holds the write
 * lock across awaits, while user pools call the KMS (Decrypt and GenerateDataKey, each writing an
 * audit event) from inside their transactions. Sharing the file, the KMS would wait for a lock that
 * is released only once the KMS answers. In its own file the KMS never waits for the pool store.
 *
 * One connection; every write is one synchronous better-sqlite3 transaction, so it holds the lock
 * for the microseconds it runs and never across an await. Should another process hold the file
 * (an operator's sqlite3 shell), a write yields to the event loop and retries rather than blocking
 * it inside SQLite.
 */
export class SqliteKmsStore implements KmsStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // A committed KMS write (a new key, an audit event) is on disk before it is acknowledged.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 0');
  }

  /** Creates the tables on first use; idempotent. */
  async migrate(): Promise<void> {
    await this.write(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS kms_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
      const applied = this.statement('SELECT 1 FROM kms_schema_migrations WHERE version = ?').get(SCHEMA_VERSION);
      if (applied) return;
      this.db.exec(readFileSync(SCHEMA_FILE, 'utf8'));
      this.statement('INSERT INTO kms_schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION, Date.now());
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Prepared once per SQL text: compiling a statement costs more than running these. */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async insertKey(key: StoredKey, materials: StoredKeyMaterial[]): Promise<void> {
    await this.write(() => {
      try {
        this.statement('INSERT INTO kms_keys (key_id, attributes, policy, revision, attention_at, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(key.keyId, key.attributes, key.policy, key.revision, key.attentionAt, key.createdAt);
      } catch (error) {
        if (isConstraintViolation(error)) throw new KmsKeyExists(key.keyId);
        throw error;
      }
      this.insertMaterials(materials);
    });
  }

  async getKey(keyId: string): Promise<StoredKey | null> {
    const row = this.statement('SELECT * FROM kms_keys WHERE key_id = ?').get(keyId) as Row | undefined;
    return row ? toKey(row) : null;
  }

  async listKeys(after: string | null, limit: number): Promise<StoredKey[]> {
    const rows = this.statement('SELECT * FROM kms_keys WHERE key_id > ? ORDER BY key_id LIMIT ?').all(after ?? '', limit) as Row[];
    return rows.map(toKey);
  }

  async updateKey(keyId: string, expectedRevision: number, changes: KeyChanges, newMaterials: StoredKeyMaterial[] = []): Promise<boolean> {
    return this.write(() => {
      const updated = this.statement('UPDATE kms_keys SET attributes = ?, policy = ?, attention_at = ?, revision = revision + 1 WHERE key_id = ? AND revision = ?')
        .run(changes.attributes, changes.policy, changes.attentionAt, keyId, expectedRevision);
      if (updated.changes === 0) return false;
      this.insertMaterials(newMaterials);
      return true;
    });
  }

  async deleteKey(keyId: string): Promise<boolean> {
    return this.write(() => {
      this.statement('DELETE FROM kms_key_materials WHERE key_id = ?').run(keyId);
      this.statement('DELETE FROM kms_aliases WHERE key_id = ?').run(keyId);
      return this.statement('DELETE FROM kms_keys WHERE key_id = ?').run(keyId).changes > 0;
    });
  }

  async keysDueBy(now: number, limit: number): Promise<StoredKey[]> {
    const rows = this.statement('SELECT * FROM kms_keys WHERE attention_at IS NOT NULL AND attention_at <= ? ORDER BY attention_at, key_id LIMIT ?').all(now, limit) as Row[];
    return rows.map(toKey);
  }

  async getMaterial(keyId: string, version: number): Promise<StoredKeyMaterial | null> {
    const row = this.statement('SELECT * FROM kms_key_materials WHERE key_id = ? AND version = ?').get(keyId, version) as Row | undefined;
    return row ? toMaterial(row) : null;
  }

  async listMaterials(keyId: string): Promise<StoredKeyMaterial[]> {
    const rows = this.statement('SELECT * FROM kms_key_materials WHERE key_id = ? ORDER BY version').all(keyId) as Row[];
    return rows.map(toMaterial);
  }

  async insertAlias(alias: StoredAlias): Promise<void> {
    await this.write(() => {
      try {
        this.statement('INSERT INTO kms_aliases (alias_name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?)')
          .run(alias.aliasName, alias.keyId, alias.createdAt, alias.updatedAt);
      } catch (error) {
        if (isConstraintViolation(error)) throw new KmsAliasExists(alias.aliasName);
        throw error;
      }
    });
  }

  async getAlias(aliasName: string): Promise<StoredAlias | null> {
    const row = this.statement('SELECT * FROM kms_aliases WHERE alias_name = ?').get(aliasName) as Row | undefined;
    return row ? toAlias(row) : null;
  }

  async listAliases(keyId: string | null, after: string | null, limit: number): Promise<StoredAlias[]> {
    const rows = (
      keyId === null
        ? this.statement('SELECT * FROM kms_aliases WHERE alias_name > ? ORDER BY alias_name LIMIT ?').all(after ?? '', limit)
        : this.statement('SELECT * FROM kms_aliases WHERE key_id = ? AND alias_name > ? ORDER BY alias_name LIMIT ?').all(keyId, after ?? '', limit)
    ) as Row[];
    return rows.map(toAlias);
  }

  async retargetAlias(aliasName: string, keyId: string, updatedAt: number): Promise<boolean> {
    return this.write(() => this.statement('UPDATE kms_aliases SET key_id = ?, updated_at = ? WHERE alias_name = ?').run(keyId, updatedAt, aliasName).changes > 0);
  }

  async deleteAlias(aliasName: string): Promise<boolean> {
    return this.write(() => this.statement('DELETE FROM kms_aliases WHERE alias_name = ?').run(aliasName).changes > 0);
  }

  async appendAuditEvents(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.write(() => {
      const insert = this.statement(
        'INSERT INTO kms_audit_events (at, request_id, principal, action, key_id, encryption_context, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const event of events) {
        insert.run(event.at, event.requestId, event.principal, event.action, event.keyId, contextText(event.encryptionContext), event.outcome);
      }
    });
  }

  async listAuditEvents(query: AuditQuery): Promise<StoredAuditEvent[]> {
    const conditions = ['sequence > ?'];
    const parameters: unknown[] = [query.afterSequence ?? 0];
    if (query.keyId !== undefined) {
      conditions.push('key_id = ?');
      parameters.push(query.keyId);
    }
    if (query.action !== undefined) {
      conditions.push('action = ?');
      parameters.push(query.action);
    }
    if (query.since !== undefined) {
      conditions.push('at >= ?');
      parameters.push(query.since);
    }
    const rows = this.statement(`SELECT * FROM kms_audit_events WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT ?`).all(...parameters, query.limit) as Row[];
    return rows.map(toAuditEvent);
  }

  private insertMaterials(materials: StoredKeyMaterial[]): void {
    const insert = this.statement(
      'INSERT INTO kms_key_materials (key_id, version, material_id, wrapped_material, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, version) DO NOTHING',
    );
    for (const material of materials) insert.run(material.keyId, material.version, material.materialId, material.wrapped, material.createdAt);
  }

  /** Runs `work` as one IMMEDIATE transaction, retrying (asynchronously) while the database is busy. */
  private async write<T>(work: () => T): Promise<T> {
    const deadline = Date.now() + BUSY_DEADLINE_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return this.db.transaction(work).immediate();
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        await sleep(Math.min(2 ** attempt, 25));
      }
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function isConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

