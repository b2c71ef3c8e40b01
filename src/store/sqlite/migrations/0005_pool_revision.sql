-- A random token replaced whenever anything readable in the pool changes: set when the pool row
-- is inserted (createPool, createReplicaPool) and with every change-log append, replicated apply
-- and snapshot page. Store.poolVersion includes it, so a version string never comes back with
-- other contents, even when sequence numbers repeat (a database restored from a backup, a failed-
-- over standby, a replica deleted and added again). Rows from before this migration keep NULL
-- until their next change.
ALTER TABLE pools ADD COLUMN revision TEXT;
