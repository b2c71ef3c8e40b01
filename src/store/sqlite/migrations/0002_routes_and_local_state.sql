-- Region-wide routes: non-secret identifiers (app client ids, domain prefixes) that lead to the
-- pool holding them, for requests that do not name their pool. Rebuilt on replicas from the
-- change log, since routes travel as index entries of their record.
CREATE TABLE routes (
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  pool_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (name, value)
) WITHOUT ROWID;
CREATE INDEX routes_by_record ON routes (pool_id, kind, id);

-- Region-local state (lockout counters, ...): never in the change log, never replicated.
-- Payloads are encrypted by the layer above like records.
CREATE TABLE local_state (
  pool_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  payload BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (pool_id, kind, id)
) WITHOUT ROWID;
