import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { listGroups as list } from '../group-changes.ts';
import { toGroupType } from '../group-view.ts';
import { DEFAULT_GROUP_PAGE, groupQueryLimitShape } from './group-shapes.ts';

/** ListGroups: the pool's groups in record-id order (Cognito promises no order either). */
export const listGroups = defineAction({
  name: 'ListGroups',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Limit: groupQueryLimitShape.optional(), NextToken: paginationTokenShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const after = input.NextToken ? decodePageToken(input.NextToken, 'groups') : null;
    const { groups, next } = await list(services, input.UserPoolId, after, input.Limit || DEFAULT_GROUP_PAGE);
    return {
      Groups: groups.map((group) => toGroupType(input.UserPoolId, group)),
      ...(next ? { NextToken: encodePageToken(next, 'groups') } : {}),
    };
  },
});
