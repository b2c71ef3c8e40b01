import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { createGroup as create } from '../group-changes.ts';
import { toGroupType } from '../group-view.ts';
import { descriptionShape, precedenceShape, roleArnShape } from './group-shapes.ts';

export const createGroup = defineAction({
  name: 'CreateGroup',
  authorization: 'iam',
  input: z.object({
    GroupName: groupNameShape,
    UserPoolId: userPoolIdShape,
    Description: descriptionShape.optional(),
    RoleArn: roleArnShape.optional(),
    Precedence: precedenceShape.optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const group = await create(services, input.UserPoolId, input.GroupName, {
      description: input.Description,
      roleArn: input.RoleArn,
      precedence: input.Precedence,
    });
    return { Group: toGroupType(input.UserPoolId, group) };
  },
});
