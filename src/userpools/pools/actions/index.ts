import { createUserPool } from './create-user-pool.ts';
import { deleteUserPool } from './delete-user-pool.ts';
import { describeUserPool } from './describe-user-pool.ts';
import { listUserPools } from './list-user-pools.ts';
import { updateUserPool } from './update-user-pool.ts';

export const poolActions = [createUserPool, describeUserPool, updateUserPool, deleteUserPool, listUserPools];
