-- Key and id columns use COLLATE "C" (byte order) so that ORDER BY and the `id > after` paging of
-- list/listPools/findIds order exactly like SQLite's BINARY collation, whatever the database's
-- default collation is (en_US.UTF-8 would otherwise interleave upper and lower case), and so that
-- the btree indexes serve those range scans.

-- Pool directory: one row per pool with its wrapped data key and change-log position.
CREATE TABLE pools (
  pool_id TEXT COLLATE "C" PRIMARY KEY,
  wrapped_data_key BYTEA NOT NULL,
  key_reference TEXT NOT NULL,
  last_sequence BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

-- Encrypted records: payload is AES-256-GCM ciphertext bound to (pool, kind, id) by its AAD.
CREATE TABLE records (
  pool_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  payload BYTEA NOT NULL,
  PRIMARY KEY (pool_id, kind, id)
);

-- Blind indexes: HMAC digests of normalized values, never the values themselves.
CREATE TABLE record_indexes (
  pool_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  digest TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  is_unique BOOLEAN NOT NULL,
  PRIMARY KEY (pool_id, kind, name, digest, id)
);
CREATE UNIQUE INDEX record_indexes_unique ON record_indexes (pool_id, kind, name, digest) WHERE is_unique;
CREATE INDEX record_indexes_by_record ON record_indexes (pool_id, kind, id);

-- Ordered change log per pool; sequence is gap-free because it is taken from pools.last_sequence
-- inside the writing transaction.
CREATE TABLE change_log (
  pool_id TEXT COLLATE "C" NOT NULL,
  sequence BIGINT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload BYTEA,
  indexes TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (pool_id, sequence)
);
