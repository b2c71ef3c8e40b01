import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { groupNameShape, paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { toUserType } from '../../users/user-view.ts';
import { listUsersInGroup as listMembers } from '../group-changes.ts';
import { DEFAULT_GROUP_PAGE, groupQueryLimitShape } from './group-shapes.ts';

export const listUsersInGroup = defineAction({
  name: 'ListUsersInGroup',
  authorization: 'iam',
  input: z.object({
    UserPoolId: userPoolIdShape,
    GroupName: groupNameShape,
    Limit: groupQueryLimitShape.optional(),
    NextToken: paginationTokenShape.optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const after = input.NextToken ? decodePageToken(input.NextToken, 'group-members') : null;
    const { users, next } = await listMembers(services, input.UserPoolId, input.GroupName, after, input.Limit || DEFAULT_GROUP_PAGE);
    return {
      Users: users.map((user) => toUserType(user)),
      ...(next ? { NextToken: encodePageToken(next, 'group-members') } : {}),
    };
  },
});
