-- Built-in KMS on SQLite: schema version 1 of `<dataDir>/<region>.kms.db` (see sqlite-kms-store.ts
-- for why the KMS has a file of its own on SQLite). Nothing in these tables is secret except the
-- wrapped key material, which is AES-256-GCM ciphertext under a key derived from the region root key.

-- Keys: attributes (state, dates, spec, multi-Region and rotation settings) as JSON, the key
-- policy, a revision for compare-and-set updates, and when the scheduler must next look at the key.
CREATE TABLE kms_keys (
  key_id TEXT PRIMARY KEY,
  attributes TEXT NOT NULL,
  policy TEXT NOT NULL,
  revision INTEGER NOT NULL,
  attention_at INTEGER,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX kms_keys_by_attention ON kms_keys (attention_at) WHERE attention_at IS NOT NULL;

-- Key material versions (rotation adds one); the ciphertext blob names the version it used.
CREATE TABLE kms_key_materials (
  key_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  material_id TEXT NOT NULL,
  wrapped_material BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, version)
) WITHOUT ROWID;

CREATE TABLE kms_aliases (
  alias_name TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX kms_aliases_by_key ON kms_aliases (key_id, alias_name);

-- Audit log of every KMS call: who, what, which key, encryption context and outcome. Never
-- plaintext or key material. Append-only: the triggers refuse updates and deletes.
CREATE TABLE kms_audit_events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  key_id TEXT,
  encryption_context TEXT,
  outcome TEXT NOT NULL
);
CREATE INDEX kms_audit_events_by_key ON kms_audit_events (key_id, sequence);
CREATE TRIGGER kms_audit_events_no_update BEFORE UPDATE ON kms_audit_events
BEGIN
  SELECT RAISE(ABORT, 'kms_audit_events is append-only');
END;
CREATE TRIGGER kms_audit_events_no_delete BEFORE DELETE ON kms_audit_events
BEGIN
  SELECT RAISE(ABORT, 'kms_audit_events is append-only');
END;
