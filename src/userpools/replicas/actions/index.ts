import { createUserPoolReplica } from './create-user-pool-replica.ts';
import { deleteUserPoolReplica } from './delete-user-pool-replica.ts';
import { getFailoverChecklist } from './get-failover-checklist.ts';
import { getUserPoolDigest } from './get-user-pool-digest.ts';
import { listUserPoolReplicas } from './list-user-pool-replicas.ts';
import { updateUserPoolReplica } from './update-user-pool-replica.ts';

export const replicaActions = [createUserPoolReplica, listUserPoolReplicas, updateUserPoolReplica, deleteUserPoolReplica, getFailoverChecklist, getUserPoolDigest];
