import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { UniqueIndexViolation } from '../../store/store.ts';
import { GroupExistsException, ResourceNotFoundException } from '../errors.ts';
import { GROUP_LOOKUPS, GROUP_RECORD_KIND, type GroupRecord } from './group-record.ts';

export async function findGroup(records: EncryptedRecords, name: string): Promise<GroupRecord | null> {
  return (await records.find<GroupRecord>(GROUP_RECORD_KIND, GROUP_LOOKUPS.name, name))?.value ?? null;
}

/** The group named `name`, or Cognito's ResourceNotFoundException "Group not found.". */
export async function requireGroup(records: EncryptedRecords, name: string): Promise<GroupRecord> {
  const group = await findGroup(records, name);
  if (!group) throw new ResourceNotFoundException('Group not found.');
  return group;
}

/** Saves a group with its unique name lookup; a taken name is GroupExistsException. */
export async function saveGroup(records: EncryptedRecords, group: GroupRecord): Promise<void> {
  try {
    await records.put(GROUP_RECORD_KIND, group.id, group, [{ name: GROUP_LOOKUPS.name, value: group.name, unique: true }]);
  } catch (error) {
    if (error instanceof UniqueIndexViolation) throw new GroupExistsException(`A group with the name ${group.name} already exists.`);
    throw error;
  }
}

/** Groups of the pool in record-id order, after `after`. */
export async function groupPage(records: EncryptedRecords, after: string | null, limit: number): Promise<{ groups: GroupRecord[]; next: string | null }> {
  const page = await records.list<GroupRecord>(GROUP_RECORD_KIND, after, limit);
  return { groups: page.items.map((item) => item.value), next: page.nextAfter };
}
