-- Pool directory: one row per pool with its wrapped data key and change-log position.
CREATE TABLE pools (
  pool_id TEXT PRIMARY KEY,
  wrapped_data_key BLOB NOT NULL,
  key_reference TEXT NOT NULL,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

-- Encrypted records: payload is AES-256-GCM ciphertext bound to (pool, kind, id) by its AAD.
CREATE TABLE records (
  pool_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  payload BLOB NOT NULL,
  PRIMARY KEY (pool_id, kind, id)
) WITHOUT ROWID;

-- Blind indexes: HMAC digests of normalized values, never the values themselves.
CREATE TABLE record_indexes (
  pool_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  id TEXT NOT NULL,
  is_unique INTEGER NOT NULL,
  PRIMARY KEY (pool_id, kind, name, digest, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX record_indexes_unique ON record_indexes (pool_id, kind, name, digest) WHERE is_unique = 1;
CREATE INDEX record_indexes_by_record ON record_indexes (pool_id, kind, id);

-- Ordered change log per pool; sequence is gap-free because it is taken from pools.last_sequence
-- inside the writing transaction.
CREATE TABLE change_log (
  pool_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload BLOB,
  indexes TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (pool_id, sequence)
) WITHOUT ROWID;
