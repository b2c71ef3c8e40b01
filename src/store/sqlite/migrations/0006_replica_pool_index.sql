-- Replica pools only, for the replication leader's adoption pass (Store.listReplicaPools), which
-- runs every two seconds and must not read every pool of a region that holds many primaries.
CREATE INDEX IF NOT EXISTS pools_replica_ids ON pools (pool_id) WHERE role = 'replica';
