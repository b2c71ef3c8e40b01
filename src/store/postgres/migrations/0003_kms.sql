-- Built-in KMS (src/kms, src/store/kms). Nothing in these tables is secret except the wrapped key
-- material, which is AES-256-GCM ciphertext under a key derived from the region root key.
-- Identifier columns use COLLATE "C" so paging orders exactly as on SQLite (see 0001).

-- Keys: attributes (state, dates, spec, multi-Region and rotation settings) as JSON, the key
-- policy, a revision for compare-and-set updates, and when the scheduler must next look at the key.
CREATE TABLE kms_keys (
  key_id TEXT COLLATE "C" PRIMARY KEY,
  attributes TEXT NOT NULL,
  policy TEXT NOT NULL,
  revision BIGINT NOT NULL,
  attention_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX kms_keys_by_attention ON kms_keys (attention_at) WHERE attention_at IS NOT NULL;

-- Key material versions (rotation adds one); the ciphertext blob names the version it used.
CREATE TABLE kms_key_materials (
  key_id TEXT COLLATE "C" NOT NULL,
  version INTEGER NOT NULL,
  material_id TEXT NOT NULL,
  wrapped_material BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (key_id, version)
);

CREATE TABLE kms_aliases (
  alias_name TEXT COLLATE "C" PRIMARY KEY,
  key_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX kms_aliases_by_key ON kms_aliases (key_id, alias_name);

-- Audit log of every KMS call: who, what, which key, encryption context and outcome. Never
-- plaintext or key material. Append-only: the trigger refuses updates, deletes and truncation.
CREATE TABLE kms_audit_events (
  sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  key_id TEXT COLLATE "C",
  encryption_context TEXT,
  outcome TEXT NOT NULL
);
CREATE INDEX kms_audit_events_by_key ON kms_audit_events (key_id, sequence);
CREATE FUNCTION kms_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'kms_audit_events is append-only';
END;
$$;
CREATE TRIGGER kms_audit_events_no_change BEFORE UPDATE OR DELETE ON kms_audit_events
  FOR EACH ROW EXECUTE FUNCTION kms_audit_events_append_only();
CREATE TRIGGER kms_audit_events_no_truncate BEFORE TRUNCATE ON kms_audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION kms_audit_events_append_only();
