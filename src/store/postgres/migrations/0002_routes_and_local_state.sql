-- Region-wide routes: non-secret identifiers (app client ids, domain prefixes) that lead to the
-- pool holding them, for requests that do not name their pool. Rebuilt on replicas from the
-- change log, since routes travel as index entries of their record.
CREATE TABLE routes (
  name TEXT COLLATE "C" NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  pool_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (name, value)
);
CREATE INDEX routes_by_record ON routes (pool_id, kind, id);

-- Region-local state (lockout counters, ...): never in the change log, never replicated.
-- Payloads are encrypted by the layer above like records.
CREATE TABLE local_state (
  pool_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  payload BYTEA NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (pool_id, kind, id)
);
