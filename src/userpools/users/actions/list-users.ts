import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeNameShape, paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { listUsers as listPoolUsers } from '../list-users.ts';
import { parseUserFilter } from '../user-filter.ts';
import { toUserType } from '../user-view.ts';

/** ListUsers returns up to 60 users per page (QueryLimitType 0..60); 0 or no Limit means 60. */
const MAX_USERS_PER_PAGE = 60;

/**
 * ListUsers (Cognito API reference). AttributesToGet limits the attributes returned; an empty
 * list returns users without attributes, since only an absent list means "all attributes".
 */
export const listUsers = defineAction({
  name: 'ListUsers',
  authorization: 'iam',
  input: z.object({
    UserPoolId: userPoolIdShape,
    AttributesToGet: z.array(attributeNameShape).optional(),
    Limit: z.number().int().min(0).max(MAX_USERS_PER_PAGE).optional(),
    PaginationToken: paginationTokenShape.optional(),
    Filter: z.string().max(256).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const filter = parseUserFilter(input.Filter);
    const after = input.PaginationToken ? decodePageToken(input.PaginationToken, 'users') : null;
    const page = await listPoolUsers(services, input.UserPoolId, filter, after, input.Limit || MAX_USERS_PER_PAGE);
    return {
      Users: page.users.map((user) => toUserType(user, input.AttributesToGet)),
      ...(page.next ? { PaginationToken: encodePageToken(page.next, 'users') } : {}),
    };
  },
});
