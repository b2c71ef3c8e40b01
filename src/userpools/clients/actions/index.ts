import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { createUserPoolClient } from './create-user-pool-client.ts';
import { deleteUserPoolClient } from './delete-user-pool-client.ts';
import { describeUserPoolClient } from './describe-user-pool-client.ts';
import { listUserPoolClients } from './list-user-pool-clients.ts';
import { updateUserPoolClient } from './update-user-pool-client.ts';

export const clientActions: Array<AwsJsonAction<UserPoolServices>> = [
  createUserPoolClient,
  describeUserPoolClient,
  updateUserPoolClient,
  deleteUserPoolClient,
  listUserPoolClients,
];
