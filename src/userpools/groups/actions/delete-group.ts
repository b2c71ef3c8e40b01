import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { deleteGroup as remove } from '../group-changes.ts';

export const deleteGroup = defineAction({
  name: 'DeleteGroup',
  authorization: 'iam',
  input: z.object({ GroupName: groupNameShape, UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    await remove(services, input.UserPoolId, input.GroupName);
    return {};
  },
});
