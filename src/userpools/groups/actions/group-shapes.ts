import { z } from 'zod';

/**
 * Input fragments of the group actions, with the limits of the Cognito API reference
 * (CreateGroup, UpdateGroup, ListGroups, ListUsersInGroup, AdminListGroupsForUser).
 */
export const descriptionShape = z.string().max(2048);
export const roleArnShape = z
  .string()
  .min(20)
  .max(2048)
  .regex(/^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/, 'Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?');
/** Non-negative; the reference gives 2^31-1 as the maximum. */
export const precedenceShape = z.number().int().min(0).max(2 ** 31 - 1);
/** QueryLimitType: 0..60. */
export const groupQueryLimitShape = z.number().int().min(0).max(60);

/** Page size when Limit is absent or 0. */
export const DEFAULT_GROUP_PAGE = 60;
