/**
 * Storage contract of the built-in KMS (src/kms), implemented on SQLite and PostgreSQL in the same
 * database as the pool store (tables from migration 0003_kms).
 *
 * Like the pool store it sees no secrets in the clear: key material arrives wrapped (AES-256-GCM
 * under a key derived from the region root key) and the audit log is given no plaintext or data
 * keys. Attributes and policies are JSON text the store does not interpret.
 *
 * Concurrency: key updates are compare-and-set on `revision`, so two writers (two requests, or
 * two processes sharing one PostgreSQL) cannot lose each other's change; the caller re-reads and
 * retries when `updateKey` answers false.
 */

/** A key as stored: everything but its material. */
export interface StoredKey {
  keyId: string;
  /** The key's attributes (state, dates, spec, multi-Region and rotation settings) as JSON. */
  attributes: string;
  /** The key policy document, as the customer gave it (or the default). */
  policy: string;
  /** Incremented by every update; `updateKey` names the revision it read. */
  revision: number;
  /** When the scheduler must next look at the key (deletion, rotation, replica sync); null: never. */
  attentionAt: number | null;
  createdAt: number;
}

/** One version of a key's material, wrapped; the plaintext never reaches the store. */
export interface StoredKeyMaterial {
  keyId: string;
  version: number;
  /** Non-secret identifier of this material (KeyMaterialId in the KMS API). */
  materialId: string;
  wrapped: Buffer;
  createdAt: number;
}

export interface StoredAlias {
  /** `alias/...` */
  aliasName: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

/** One audited call. Never carries plaintext, key material or data keys. */
export interface AuditEvent {
  at: number;
  requestId: string;
  /** The caller: an IAM-style ARN, or a service principal such as `cognito-idp.amazonaws.com`. */
  principal: string;
  /** The KMS operation, e.g. `Decrypt`. */
  action: string;
  keyId: string | null;
  encryptionContext: Record<string, string> | null;
  /** `success`, or the error type the caller received (e.g. `AccessDeniedException`). */
  outcome: string;
}

export interface StoredAuditEvent extends AuditEvent {
  /** Position in the log; ascending in insertion order. */
  sequence: number;
}

export interface AuditQuery {
  keyId?: string;
  action?: string;
  /** Only events at or after this time (ms since the epoch). */
  since?: number;
  /** Only events after this sequence (paging). */
  afterSequence?: number;
  limit: number;
}

export interface KeyChanges {
  attributes: string;
  policy: string;
  attentionAt: number | null;
}

/** Raised by `insertKey` when the key id is taken. */
export class KmsKeyExists extends Error {
  constructor(readonly keyId: string) {
    super(`KMS key ${keyId} already exists`);
    this.name = 'KmsKeyExists';
  }
}

/** Raised by `insertAlias` when the alias name is taken. */
export class KmsAliasExists extends Error {
  constructor(readonly aliasName: string) {
    super(`alias ${aliasName} already exists`);
    this.name = 'KmsAliasExists';
  }
}

export interface KmsStore {
  readonly backend: 'sqlite' | 'postgres';
  close(): Promise<void>;

  /** Adds a key and its materials atomically; throws KmsKeyExists if the id is taken. */
  insertKey(key: StoredKey, materials: StoredKeyMaterial[]): Promise<void>;
  getKey(keyId: string): Promise<StoredKey | null>;
  /** Keys in id order after `after` (exclusive). */
  listKeys(after: string | null, limit: number): Promise<StoredKey[]>;
  /**
   * Replaces the key's changes if its revision is still `expectedRevision` (then revision + 1) and
   * adds `newMaterials` (versions already present are kept as they are) in the same transaction.
   * Returns false, changing nothing, when the key is gone or was changed in between.
   */
  updateKey(keyId: string, expectedRevision: number, changes: KeyChanges, newMaterials?: StoredKeyMaterial[]): Promise<boolean>;
  /** Removes the key, all its material and its aliases; false when there was no such key. */
  deleteKey(keyId: string): Promise<boolean>;
  /** Keys whose attentionAt is at or before `now`, earliest first. */
  keysDueBy(now: number, limit: number): Promise<StoredKey[]>;

  getMaterial(keyId: string, version: number): Promise<StoredKeyMaterial | null>;
  /** Every material version of the key, ascending. */
  listMaterials(keyId: string): Promise<StoredKeyMaterial[]>;

  /** Throws KmsAliasExists if the name is taken. */
  insertAlias(alias: StoredAlias): Promise<void>;
  getAlias(aliasName: string): Promise<StoredAlias | null>;
  /** Aliases in name order after `after`, all of them or those of one key. */
  listAliases(keyId: string | null, after: string | null, limit: number): Promise<StoredAlias[]>;
  /** Points an existing alias at another key; false when there is no such alias. */
  retargetAlias(aliasName: string, keyId: string, updatedAt: number): Promise<boolean>;
  deleteAlias(aliasName: string): Promise<boolean>;

  /** Appends events in one transaction, in the order given. */
  appendAuditEvents(events: AuditEvent[]): Promise<void>;
  /** Events matching the query, ascending by sequence. */
  listAuditEvents(query: AuditQuery): Promise<StoredAuditEvent[]>;
}
