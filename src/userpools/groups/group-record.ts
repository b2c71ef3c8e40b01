/** Record kind of user-pool groups (id = opaque internal id; never the group name). */
export const GROUP_RECORD_KIND = 'group';

/** Record kind of group memberships (id = `<groupId>:<userId>`, both opaque). */
export const MEMBERSHIP_RECORD_KIND = 'group-membership';

/** Lookup names, stored only as blind indexes. */
export const GROUP_LOOKUPS = {
  /** The group name, exactly as given: group names are case-sensitive and unique in a pool. */
  name: 'name',
};

export const MEMBERSHIP_LOOKUPS = {
  /** The group's record id: lists a group's members (not unique). */
  group: 'group',
  /** The user's record id: lists a user's groups (not unique). */
  user: 'user',
};

/** A group as stored (encrypted) in its record. */
export interface GroupRecord {
  id: string;
  name: string;
  description?: string;
  roleArn?: string;
  /** Lower values take precedence; absent (Cognito's null) ranks after every number. */
  precedence?: number;
  createdAt: number;
  modifiedAt: number;
}

/** One user in one group. The ids say everything; the payload adds when. */
export interface MembershipRecord {
  groupId: string;
  userId: string;
  addedAt: number;
}

export function membershipId(groupId: string, userId: string): string {
  return `${groupId}:${userId}`;
}
