import { awsTimestamp } from '../pools/user-pool.ts';
import type { GroupRecord } from './group-record.ts';

/** GroupType, as in CreateGroup, GetGroup, UpdateGroup, ListGroups and AdminListGroupsForUser. */
export function toGroupType(poolId: string, group: GroupRecord): Record<string, unknown> {
  return {
    GroupName: group.name,
    UserPoolId: poolId,
    ...(group.description !== undefined ? { Description: group.description } : {}),
    ...(group.roleArn !== undefined ? { RoleArn: group.roleArn } : {}),
    ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
    LastModifiedDate: awsTimestamp(group.modifiedAt),
    CreationDate: awsTimestamp(group.createdAt),
  };
}
