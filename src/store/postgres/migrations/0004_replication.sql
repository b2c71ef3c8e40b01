-- Replication: a pool is either a primary (written locally, change-logged) or a replica of another
-- region's primary, which records the primary's sequence it has applied and how far its initial
-- copy got (JSON SnapshotProgress, NULL on primaries), each updated in the applying transaction.
ALTER TABLE pools ADD COLUMN role TEXT NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'replica'));
ALTER TABLE pools ADD COLUMN applied_sequence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pools ADD COLUMN snapshot_progress TEXT;
