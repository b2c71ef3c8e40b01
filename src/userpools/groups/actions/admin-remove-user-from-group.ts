import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { removeUserFromGroup } from '../group-changes.ts';

/** AdminRemoveUserFromGroup: removing a user who is not a member succeeds. */
export const adminRemoveUserFromGroup = defineAction({
  name: 'AdminRemoveUserFromGroup',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, GroupName: groupNameShape }),
  async handle(input, services: UserPoolServices) {
    await removeUserFromGroup(services, input.UserPoolId, input.Username, input.GroupName);
    return {};
  },
});
