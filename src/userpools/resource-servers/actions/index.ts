import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { createResourceServer } from './create-resource-server.ts';
import { deleteResourceServer } from './delete-resource-server.ts';
import { describeResourceServer } from './describe-resource-server.ts';
import { listResourceServers } from './list-resource-servers.ts';
import { updateResourceServer } from './update-resource-server.ts';

export const resourceServerActions: Array<AwsJsonAction<UserPoolServices>> = [
  createResourceServer,
  describeResourceServer,
  updateResourceServer,
  deleteResourceServer,
  listResourceServers,
];
