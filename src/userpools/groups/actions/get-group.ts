import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { getGroup as get } from '../group-changes.ts';
import { toGroupType } from '../group-view.ts';

export const getGroup = defineAction({
  name: 'GetGroup',
  authorization: 'iam',
  input: z.object({ GroupName: groupNameShape, UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    return { Group: toGroupType(input.UserPoolId, await get(services, input.UserPoolId, input.GroupName)) };
  },
});
