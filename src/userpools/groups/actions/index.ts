import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminAddUserToGroup } from './admin-add-user-to-group.ts';
import { adminListGroupsForUser } from './admin-list-groups-for-user.ts';
import { adminRemoveUserFromGroup } from './admin-remove-user-from-group.ts';
import { createGroup } from './create-group.ts';
import { deleteGroup } from './delete-group.ts';
import { getGroup } from './get-group.ts';
import { listGroups } from './list-groups.ts';
import { listUsersInGroup } from './list-users-in-group.ts';
import { updateGroup } from './update-group.ts';

export const groupActions: Array<AwsJsonAction<UserPoolServices>> = [
  createGroup,
  getGroup,
  updateGroup,
  deleteGroup,
  listGroups,
  adminAddUserToGroup,
  adminRemoveUserFromGroup,
  adminListGroupsForUser,
  listUsersInGroup,
];
