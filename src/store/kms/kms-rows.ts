import type { StoredAlias, StoredAuditEvent, StoredKey, StoredKeyMaterial } from './kms-store.ts';

/**
 * Row <-> value mapping shared by the SQLite and PostgreSQL KMS stores. Numbers go through Number()
 * because pg returns BIGINT as strings (every value here is below 2^53); blobs through Buffer.from
 * because better-sqlite3 returns Uint8Array-compatible Buffers and pg returns Buffers.
 */
export type Row = Record<string, unknown>;

export function contextText(context: Record<string, string> | null): string | null {
  return context === null ? null : JSON.stringify(context);
}

export function toKey(row: Row): StoredKey {
  return {
    keyId: String(row.key_id),
    attributes: String(row.attributes),
    policy: String(row.policy),
    revision: Number(row.revision),
    attentionAt: row.attention_at === null || row.attention_at === undefined ? null : Number(row.attention_at),
    createdAt: Number(row.created_at),
  };
}

export function toMaterial(row: Row): StoredKeyMaterial {
  return {
    keyId: String(row.key_id),
    version: Number(row.version),
    materialId: String(row.material_id),
    wrapped: Buffer.from(row.wrapped_material as Uint8Array),
    createdAt: Number(row.created_at),
  };
}

export function toAlias(row: Row): StoredAlias {
  return { aliasName: String(row.alias_name), keyId: String(row.key_id), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

export function toAuditEvent(row: Row): StoredAuditEvent {
  return {
    sequence: Number(row.sequence),
    at: Number(row.at),
    requestId: String(row.request_id),
    principal: String(row.principal),
    action: String(row.action),
    keyId: row.key_id === null ? null : String(row.key_id),
    encryptionContext: row.encryption_context === null ? null : (JSON.parse(String(row.encryption_context)) as Record<string, string>),
    outcome: String(row.outcome),
  };
}
