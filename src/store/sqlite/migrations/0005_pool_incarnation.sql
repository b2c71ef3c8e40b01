-- A random id given to each pool row when it is inserted (createPool, createReplicaPool): with the
-- sequences it makes Store.poolVersion, which must differ between a pool and a later pool created
-- under the same id (a replica deleted and added again). Rows from before this migration keep NULL.
ALTER TABLE pools ADD COLUMN incarnation TEXT;
