import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { GROUP_RECORD_KIND, MEMBERSHIP_LOOKUPS, MEMBERSHIP_RECORD_KIND, membershipId, type GroupRecord, type MembershipRecord } from './group-record.ts';

/** Memberships read or deleted per store call when walking all of a user's or group's. */
const BATCH = 100;

/** Adds a user to a group; adding a member again changes nothing (and writes nothing). */
export async function addMembership(records: EncryptedRecords, groupId: string, userId: string, now: number): Promise<void> {
  const id = membershipId(groupId, userId);
  if (await records.get<MembershipRecord>(MEMBERSHIP_RECORD_KIND, id)) return;
  const membership: MembershipRecord = { groupId, userId, addedAt: now };
  await records.put(MEMBERSHIP_RECORD_KIND, id, membership, [
    { name: MEMBERSHIP_LOOKUPS.group, value: groupId },
    { name: MEMBERSHIP_LOOKUPS.user, value: userId },
  ]);
}

/** Removes a user from a group; removing a non-member is not an error (as in Cognito). */
export async function removeMembership(records: EncryptedRecords, groupId: string, userId: string): Promise<void> {
  await records.delete(MEMBERSHIP_RECORD_KIND, membershipId(groupId, userId));
}

/**
 * Removes every group membership of a user. Call it in the same write transaction that deletes
 * the user (AdminDeleteUser, DeleteUser), so no membership outlives its user.
 */
export async function removeUserMemberships(records: EncryptedRecords, userId: string): Promise<void> {
  await deleteAllByLookup(records, MEMBERSHIP_LOOKUPS.user, userId);
}

/** Removes every membership of a group (DeleteGroup), in the transaction that deletes it. */
export async function removeGroupMemberships(records: EncryptedRecords, groupId: string): Promise<void> {
  await deleteAllByLookup(records, MEMBERSHIP_LOOKUPS.group, groupId);
}

/** Deleted records leave the index, so asking again for the first ids walks the whole set. */
async function deleteAllByLookup(records: EncryptedRecords, name: string, value: string): Promise<void> {
  for (;;) {
    const ids = await records.findIds(MEMBERSHIP_RECORD_KIND, name, value, BATCH);
    if (ids.length === 0) return;
    for (const id of ids) await records.delete(MEMBERSHIP_RECORD_KIND, id);
  }
}

/**
 * One page of a group's members, in membership-id order. A member whose user record is gone is
 * skipped, so a page may be short; `next` is still the last membership examined.
 */
export async function memberPage(records: EncryptedRecords, groupId: string, after: string | null, limit: number): Promise<{ users: UserRecord[]; next: string | null }> {
  const page = await records.listByLookup<MembershipRecord>(MEMBERSHIP_RECORD_KIND, MEMBERSHIP_LOOKUPS.group, groupId, after, limit);
  const users: UserRecord[] = [];
  for (const { value } of page.items) {
    const user = await records.get<UserRecord>(USER_RECORD_KIND, value.userId);
    if (user) users.push(user);
  }
  return { users, next: page.nextAfter };
}

/** One page of a user's groups, in membership-id order (see memberPage). */
export async function userGroupPage(records: EncryptedRecords, userId: string, after: string | null, limit: number): Promise<{ groups: GroupRecord[]; next: string | null }> {
  const page = await records.listByLookup<MembershipRecord>(MEMBERSHIP_RECORD_KIND, MEMBERSHIP_LOOKUPS.user, userId, after, limit);
  const groups: GroupRecord[] = [];
  for (const { value } of page.items) {
    const group = await records.get<GroupRecord>(GROUP_RECORD_KIND, value.groupId);
    if (group) groups.push(group);
  }
  return { groups, next: page.nextAfter };
}

/** What a user's groups put in an ID token. */
export interface GroupClaims {
  /** `cognito:groups`: names by precedence. */
  groups: string[];
  /** `cognito:roles`: the groups' IAM role ARNs, in the same order, each once. */
  roles: string[];
  /** `cognito:preferred_role`: the role of the groups with the lowest precedence, when they agree on one. */
  preferredRole?: string;
}

/**
 * A user's groups for the tokens: by precedence, lowest (highest priority) first, groups without
 * precedence last (CreateGroup reference: lower values take precedence over higher or null
 * values), then by name so equal precedences order stably. The preferred role is the RoleArn of
 * the best-ranked groups that have one; when several of those rank alike with different roles,
 * there is none (CreateGroup: "If there are multiple groups that have the same lowest precedence
 * value ... the cognito:preferred_role claim isn't set").
 */
export async function groupClaimsOfUser(records: EncryptedRecords, userId: string): Promise<GroupClaims> {
  const groups: GroupRecord[] = [];
  let after: string | null = null;
  do {
    const page = await userGroupPage(records, userId, after, BATCH);
    groups.push(...page.groups);
    after = page.next;
  } while (after !== null);
  groups.sort(byPrecedenceThenName);
  const withRoles = groups.filter((group): group is GroupRecord & { roleArn: string } => group.roleArn !== undefined);
  // Sorted, so the best-ranked groups with a role come first.
  const bestRoles = new Set(withRoles.filter((group) => rankOf(group) === rankOf(withRoles[0]!)).map((group) => group.roleArn));
  return {
    groups: groups.map((group) => group.name),
    roles: [...new Set(withRoles.map((group) => group.roleArn))],
    ...(bestRoles.size === 1 ? { preferredRole: [...bestRoles][0]! } : {}),
  };
}

const rankOf = (group: GroupRecord) => group.precedence ?? Number.POSITIVE_INFINITY;

export function byPrecedenceThenName(a: GroupRecord, b: GroupRecord): number {
  if (rankOf(a) !== rankOf(b)) return rankOf(a) < rankOf(b) ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
