import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { newRecordId } from '../shared/identifiers.ts';
import { requireUser } from '../users/user-directory.ts';
import type { UserRecord } from '../users/user-record.ts';
import { groupPage, requireGroup, saveGroup } from './group-directory.ts';
import { addMembership, memberPage, removeGroupMemberships, removeMembership, userGroupPage } from './group-memberships.ts';
import { GROUP_RECORD_KIND, type GroupRecord } from './group-record.ts';

export interface GroupSettings {
  description?: string;
  roleArn?: string;
  precedence?: number;
}

function write<T>(services: UserPoolServices, poolId: string, work: (records: EncryptedRecords, pool: UserPoolRecord) => Promise<T>): Promise<T> {
  return withPool(poolId, () => services.vault.write(poolId, async (records) => work(records, await loadPool(records))));
}

function read<T>(services: UserPoolServices, poolId: string, work: (records: EncryptedRecords, pool: UserPoolRecord) => Promise<T>): Promise<T> {
  return withPool(poolId, () => services.vault.read(poolId, async (records) => work(records, await loadPool(records))));
}

export function createGroup(services: UserPoolServices, poolId: string, name: string, settings: GroupSettings): Promise<GroupRecord> {
  return write(services, poolId, async (records) => {
    const now = services.now();
    const group: GroupRecord = { id: newRecordId(), name, ...definedOnly(settings), createdAt: now, modifiedAt: now };
    await saveGroup(records, group);
    return group;
  });
}

export function getGroup(services: UserPoolServices, poolId: string, name: string): Promise<GroupRecord> {
  return read(services, poolId, (records) => requireGroup(records, name));
}

/**
 * UpdateGroup changes the settings the request names and keeps the others: the API reference's
 * example updates Description and Precedence and gets the group's RoleArn back unchanged.
 */
export function updateGroup(services: UserPoolServices, poolId: string, name: string, settings: GroupSettings): Promise<GroupRecord> {
  return write(services, poolId, async (records) => {
    const group = await requireGroup(records, name);
    const updated: GroupRecord = { ...group, ...definedOnly(settings), modifiedAt: services.now() };
    await saveGroup(records, updated);
    return updated;
  });
}

/** DeleteGroup removes the group and, in the same transaction, every membership in it. */
export function deleteGroup(services: UserPoolServices, poolId: string, name: string): Promise<void> {
  return write(services, poolId, async (records) => {
    const group = await requireGroup(records, name);
    await removeGroupMemberships(records, group.id);
    await records.delete(GROUP_RECORD_KIND, group.id);
  });
}

export function listGroups(services: UserPoolServices, poolId: string, after: string | null, limit: number): Promise<{ groups: GroupRecord[]; next: string | null }> {
  return read(services, poolId, (records) => groupPage(records, after, limit));
}

export function addUserToGroup(services: UserPoolServices, poolId: string, username: string, groupName: string): Promise<void> {
  return write(services, poolId, async (records, pool) => {
    const user = await requireUser(records, pool, username);
    const group = await requireGroup(records, groupName);
    await addMembership(records, group.id, user.id, services.now());
  });
}

export function removeUserFromGroup(services: UserPoolServices, poolId: string, username: string, groupName: string): Promise<void> {
  return write(services, poolId, async (records, pool) => {
    const user = await requireUser(records, pool, username);
    const group = await requireGroup(records, groupName);
    await removeMembership(records, group.id, user.id);
  });
}

/**
 * AdminListGroupsForUser, in membership-id order. Page tokens carry a membership id
 * (`<groupId>:<userId>`); one issued for another user is refused rather than used as a cursor.
 */
export function listGroupsForUser(services: UserPoolServices, poolId: string, username: string, after: string | null, limit: number): Promise<{ groups: GroupRecord[]; next: string | null }> {
  return read(services, poolId, async (records, pool) => {
    const user = await requireUser(records, pool, username);
    if (after !== null && !after.endsWith(`:${user.id}`)) throw invalidToken();
    return userGroupPage(records, user.id, after, limit);
  });
}

/** ListUsersInGroup, in membership-id order; tokens are bound to the group as above. */
export function listUsersInGroup(services: UserPoolServices, poolId: string, groupName: string, after: string | null, limit: number): Promise<{ users: UserRecord[]; next: string | null }> {
  return read(services, poolId, async (records) => {
    const group = await requireGroup(records, groupName);
    if (after !== null && !after.startsWith(`${group.id}:`)) throw invalidToken();
    return memberPage(records, group.id, after, limit);
  });
}

function invalidToken(): Error {
  return new InvalidParameterException('Invalid pagination token.');
}

/** Drops settings the request left out, so a spread keeps the stored values for them. */
function definedOnly(settings: GroupSettings): GroupSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as GroupSettings;
}
