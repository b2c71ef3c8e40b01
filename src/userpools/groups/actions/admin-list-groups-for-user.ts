import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { listGroupsForUser } from '../group-changes.ts';
import { toGroupType } from '../group-view.ts';
import { DEFAULT_GROUP_PAGE, groupQueryLimitShape } from './group-shapes.ts';

export const adminListGroupsForUser = defineAction({
  name: 'AdminListGroupsForUser',
  authorization: 'iam',
  input: z.object({
    Username: usernameShape,
    UserPoolId: userPoolIdShape,
    Limit: groupQueryLimitShape.optional(),
    NextToken: paginationTokenShape.optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const after = input.NextToken ? decodePageToken(input.NextToken, 'user-groups') : null;
    const { groups, next } = await listGroupsForUser(services, input.UserPoolId, input.Username, after, input.Limit || DEFAULT_GROUP_PAGE);
    return {
      Groups: groups.map((group) => toGroupType(input.UserPoolId, group)),
      ...(next ? { NextToken: encodePageToken(next, 'user-groups') } : {}),
    };
  },
});
