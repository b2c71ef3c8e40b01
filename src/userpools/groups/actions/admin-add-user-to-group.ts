import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { addUserToGroup } from '../group-changes.ts';

/** AdminAddUserToGroup: adding a user who is already a member succeeds and changes nothing. */
export const adminAddUserToGroup = defineAction({
  name: 'AdminAddUserToGroup',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, GroupName: groupNameShape }),
  async handle(input, services: UserPoolServices) {
    await addUserToGroup(services, input.UserPoolId, input.Username, input.GroupName);
    return {};
  },
});
