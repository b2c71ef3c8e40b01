import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type AdminListGroupsForUserCommandInput,
  type CreateUserPoolCommandInput,
  type ListGroupsCommandInput,
  type ListUsersInGroupCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DataKeyCache } from '../../src/crypto/data-key-cache.ts';
import type { EncryptedRecords } from '../../src/crypto/encrypted-records.ts';
import { PoolVault } from '../../src/crypto/pool-vault.ts';
import { loadRootKey } from '../../src/crypto/root-key.ts';
import { ServiceKeyProvider } from '../../src/crypto/service-key-provider.ts';
import { groupClaimsOfUser } from '../../src/userpools/groups/group-memberships.ts';
import { USER_LOOKUPS } from '../../src/userpools/users/user-directory.ts';
import { USER_RECORD_KIND } from '../../src/userpools/users/user-record.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';

const ROLE = 'arn:aws:iam::123456789012:role/editors';

describe('groups over the Cognito API', () => {
  let region: TestRegion;
  /** The region's records as the domain sees them, opened with the region's own root key. */
  let readRecords: <T>(poolId: string, work: (records: EncryptedRecords) => Promise<T>) => Promise<T>;
  before(async () => {
    region = await startTestRegion();
    const serviceKey = new ServiceKeyProvider(loadRootKey(region.dataDir));
    const vault = new PoolVault(region.region.store, new DataKeyCache(() => serviceKey, { ttlMs: 60_000 }));
    readRecords = (poolId, work) => vault.read(poolId, work);
  });
  after(async () => {
    await region.stop();
  });

  const newPool = async (input: Partial<CreateUserPoolCommandInput> = {}) =>
    (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'groups', UsernameConfiguration: { CaseSensitive: false }, ...input }))).UserPool!.Id!;
  const createUser = async (poolId: string, username: string, attributes: Record<string, string> = {}) =>
    region.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Temp-Pass-123',
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
  const createGroup = (poolId: string, GroupName: string, settings: { Description?: string; RoleArn?: string; Precedence?: number } = {}) =>
    region.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, ...settings }));
  const add = (poolId: string, Username: string, GroupName: string) =>
    region.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName }));
  const remove = (poolId: string, Username: string, GroupName: string) =>
    region.cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username, GroupName }));
  const groupsOf = async (poolId: string, Username: string) =>
    ((await region.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username }))).Groups ?? []).map((group) => group.GroupName).sort();
  const membersOf = async (poolId: string, GroupName: string) =>
    ((await region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName }))).Users ?? []).map((user) => user.Username).sort();
  /** The groups of a user as token issuance sees them, read straight from the pool's records. */
  const claimGroups = (poolId: string, username: string) =>
    readRecords(poolId, async (records) => {
      const user = await records.find<{ id: string }>(USER_RECORD_KIND, USER_LOOKUPS.username, username);
      return (await groupClaimsOfUser(records, user!.value.id)).groups;
    });
  const claimRoles = (poolId: string, username: string) =>
    readRecords(poolId, async (records) => {
      const user = await records.find<{ id: string }>(USER_RECORD_KIND, USER_LOOKUPS.username, username);
      const { roles, preferredRole } = await groupClaimsOfUser(records, user!.value.id);
      return { roles, preferredRole };
    });

  /** Follows NextToken to the end, checking that pages respect Limit. */
  async function walk<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>, limit: number): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await fetch(token);
      assert.ok(page.items.length <= limit);
      all.push(...page.items);
      token = page.next;
      pages += 1;
      assert.ok(pages < 50);
    } while (token);
    return all;
  }

  test('CreateGroup returns GroupType; GetGroup reads it back', async () => {
    const poolId = await newPool();
    const { Group } = await createGroup(poolId, 'editors', { Description: 'Can edit', RoleArn: ROLE, Precedence: 5 });
    assert.equal(Group?.GroupName, 'editors');
    assert.equal(Group?.UserPoolId, poolId);
    assert.equal(Group?.Description, 'Can edit');
    assert.equal(Group?.RoleArn, ROLE);
    assert.equal(Group?.Precedence, 5);
    assert.ok(Group?.CreationDate instanceof Date);
    assert.ok(Group?.LastModifiedDate instanceof Date);
    const fetched = (await region.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'editors' }))).Group;
    assert.deepEqual(fetched, Group);

    const { Group: bare } = await createGroup(poolId, 'readers');
    assert.equal(bare?.Description, undefined);
    assert.equal(bare?.RoleArn, undefined);
    assert.equal(bare?.Precedence, undefined);
  });

  test('group names are unique and case-sensitive', async () => {
    const poolId = await newPool();
    await createGroup(poolId, 'Admins');
    await assert.rejects(createGroup(poolId, 'Admins'), { name: 'GroupExistsException' });
    await createGroup(poolId, 'admins');
    await assert.rejects(region.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'ADMINS' })), { name: 'ResourceNotFoundException', message: 'Group not found.' });
    const other = await newPool();
    await createGroup(other, 'Admins');
  });

  test('CreateGroup and UpdateGroup refuse bad input with InvalidParameterException', async () => {
    const poolId = await newPool();
    await assert.rejects(createGroup(poolId, 'x', { Precedence: -1 }), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'x', { Precedence: 2 ** 31 }), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'x', { Precedence: 1.5 }), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'x', { RoleArn: 'not-an-arn-but-long-enough' }), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'x', { Description: 'd'.repeat(2049) }), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, ''), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'has space'), { name: 'InvalidParameterException' });
    await assert.rejects(createGroup(poolId, 'g'.repeat(129)), { name: 'InvalidParameterException' });
    await createGroup(poolId, 'x', { Precedence: 2 ** 31 - 1 });
    await assert.rejects(region.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'x', Precedence: -3 })), { name: 'InvalidParameterException' });
  });

  test('UpdateGroup changes what it names and keeps the rest', async () => {
    const poolId = await newPool();
    const { Group: created } = await createGroup(poolId, 'editors', { Description: 'old', RoleArn: ROLE, Precedence: 5 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { Group } = await region.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'editors', Description: 'new', Precedence: 1 }));
    assert.equal(Group?.Description, 'new');
    assert.equal(Group?.Precedence, 1);
    assert.equal(Group?.RoleArn, ROLE);
    assert.equal(Group?.CreationDate?.getTime(), created?.CreationDate?.getTime());
    assert.ok(Group!.LastModifiedDate! > created!.LastModifiedDate!);
    assert.deepEqual((await region.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'editors' }))).Group, Group);
    await assert.rejects(region.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'nope', Description: 'x' })), { name: 'ResourceNotFoundException', message: 'Group not found.' });
  });

  test('missing groups and pools', async () => {
    const poolId = await newPool();
    await createUser(poolId, 'alice');
    const notFound = { name: 'ResourceNotFoundException', message: 'Group not found.' };
    await assert.rejects(region.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'nope' })), notFound);
    await assert.rejects(region.cognito.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'nope' })), notFound);
    await assert.rejects(region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'nope' })), notFound);
    await assert.rejects(add(poolId, 'alice', 'nope'), notFound);
    await assert.rejects(remove(poolId, 'alice', 'nope'), notFound);
    const missingPool = 'us-east-1_Missing00';
    await assert.rejects(createGroup(missingPool, 'g'), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new ListGroupsCommand({ UserPoolId: missingPool })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new GetGroupCommand({ UserPoolId: missingPool, GroupName: 'g' })), { name: 'ResourceNotFoundException' });
  });

  test('membership: add (idempotent), list both ways, remove (a non-member is fine)', async () => {
    const poolId = await newPool({ AliasAttributes: ['email'] });
    await createUser(poolId, 'alice', { email: 'alice@example.com', email_verified: 'true' });
    await createUser(poolId, 'bob');
    await createGroup(poolId, 'editors');
    await createGroup(poolId, 'readers');

    await add(poolId, 'alice', 'editors');
    await add(poolId, 'alice', 'editors');
    await add(poolId, 'ALICE', 'readers');
    await add(poolId, 'bob', 'readers');
    assert.deepEqual(await groupsOf(poolId, 'alice'), ['editors', 'readers']);
    assert.deepEqual(await groupsOf(poolId, 'alice@example.com'), ['editors', 'readers'], 'Username may be an alias');
    assert.deepEqual(await membersOf(poolId, 'editors'), ['alice']);
    assert.deepEqual(await membersOf(poolId, 'readers'), ['alice', 'bob']);
    const [member] = (await region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'editors' }))).Users!;
    assert.equal(member!.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(member!.Enabled, true);
    assert.ok(member!.Attributes!.some((attribute) => attribute.Name === 'email'));
    const [listed] = (await region.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'bob' }))).Groups!;
    assert.equal(listed!.UserPoolId, poolId);
    assert.ok(listed!.CreationDate instanceof Date);

    await remove(poolId, 'alice', 'readers');
    await remove(poolId, 'alice', 'readers');
    await remove(poolId, 'bob', 'editors');
    assert.deepEqual(await groupsOf(poolId, 'alice'), ['editors']);
    assert.deepEqual(await membersOf(poolId, 'readers'), ['bob']);
  });

  test('unknown users are UserNotFoundException', async () => {
    const poolId = await newPool();
    await createGroup(poolId, 'editors');
    const notFound = { name: 'UserNotFoundException' };
    await assert.rejects(add(poolId, 'ghost', 'editors'), notFound);
    await assert.rejects(remove(poolId, 'ghost', 'editors'), notFound);
    await assert.rejects(region.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'ghost' })), notFound);
  });

  test('DeleteGroup removes the group and its memberships; a new group of the same name starts empty', async () => {
    const poolId = await newPool();
    await createUser(poolId, 'alice');
    await createUser(poolId, 'bob');
    await createGroup(poolId, 'doomed');
    await createGroup(poolId, 'kept');
    await add(poolId, 'alice', 'doomed');
    await add(poolId, 'bob', 'doomed');
    await add(poolId, 'alice', 'kept');
    await region.cognito.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' }));
    await assert.rejects(region.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' })), { name: 'ResourceNotFoundException' });
    assert.deepEqual(await groupsOf(poolId, 'alice'), ['kept']);
    assert.deepEqual(await groupsOf(poolId, 'bob'), []);
    assert.deepEqual(await claimGroups(poolId, 'bob'), []);
    await createGroup(poolId, 'doomed');
    assert.deepEqual(await membersOf(poolId, 'doomed'), []);
    const count = await readRecords(poolId, (records) => records.count('group-membership'));
    assert.equal(count, 1, 'only alice/kept is left');
  });

  test('a deleted user is no longer listed as a member', async () => {
    const poolId = await newPool();
    await createUser(poolId, 'alice');
    await createUser(poolId, 'bob');
    await createGroup(poolId, 'team');
    await add(poolId, 'alice', 'team');
    await add(poolId, 'bob', 'team');
    await region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    assert.deepEqual(await membersOf(poolId, 'team'), ['bob']);
    await createUser(poolId, 'alice');
    assert.deepEqual(await groupsOf(poolId, 'alice'), [], 'a new user of the same name inherits nothing');
  });

  test(
    'AdminDeleteUser removes the user\'s membership records',
    async () => {
      const poolId = await newPool();
      await createUser(poolId, 'alice');
      await createGroup(poolId, 'team');
      await add(poolId, 'alice', 'team');
      await region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'alice' }));
      assert.equal(await readRecords(poolId, (records) => records.count('group-membership')), 0);
    },
  );

  test('ListGroups pages with Limit and NextToken', async () => {
    const poolId = await newPool();
    const names = Array.from({ length: 7 }, (_, index) => `group-${index}`);
    for (const name of names) await createGroup(poolId, name);
    const listed = await walk(async (NextToken) => {
      const page = await region.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 3, NextToken } satisfies ListGroupsCommandInput));
      return { items: page.Groups ?? [], next: page.NextToken };
    }, 3);
    assert.deepEqual(listed.map((group) => group.GroupName).sort(), names);
    assert.ok(listed.every((group) => group.UserPoolId === poolId));
    const everything = await region.cognito.send(new ListGroupsCommand({ UserPoolId: poolId }));
    assert.equal(everything.Groups?.length, 7);
    assert.equal(everything.NextToken, undefined);
    await assert.rejects(region.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 61 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, NextToken: 'garbage' })), { name: 'InvalidParameterException' });
  });

  test('ListUsersInGroup and AdminListGroupsForUser page with Limit and NextToken', async () => {
    const poolId = await newPool();
    const users = Array.from({ length: 7 }, (_, index) => `member${index}`);
    const groups = Array.from({ length: 7 }, (_, index) => `team${index}`);
    for (const name of users) await createUser(poolId, name);
    for (const name of groups) await createGroup(poolId, name);
    await createGroup(poolId, 'other');
    for (const name of users) await add(poolId, name, 'team0');
    for (const name of groups) await add(poolId, 'member0', name);
    await add(poolId, 'member1', 'other');

    const members = await walk(async (NextToken) => {
      const page = await region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'team0', Limit: 3, NextToken } satisfies ListUsersInGroupCommandInput));
      return { items: page.Users ?? [], next: page.NextToken };
    }, 3);
    assert.deepEqual(members.map((user) => user.Username).sort(), users);

    const memberships = await walk(async (NextToken) => {
      const page = await region.cognito.send(
        new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'member0', Limit: 3, NextToken } satisfies AdminListGroupsForUserCommandInput),
      );
      return { items: page.Groups ?? [], next: page.NextToken };
    }, 3);
    assert.deepEqual(memberships.map((group) => group.GroupName).sort(), groups);

    const firstMembers = await region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'team0', Limit: 2 }));
    assert.ok(firstMembers.NextToken);
    await assert.rejects(
      region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'other', NextToken: firstMembers.NextToken })),
      { name: 'InvalidParameterException' },
      "a token of one group's members is not a cursor into another's",
    );
    const firstGroups = await region.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'member0', Limit: 2 }));
    await assert.rejects(
      region.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'member1', NextToken: firstGroups.NextToken })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      region.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, NextToken: firstGroups.NextToken })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(region.cognito.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'team0', Limit: 61 })), { name: 'InvalidParameterException' });
  });

  test('groupsOfUser orders by precedence (none last), then name', async () => {
    const poolId = await newPool();
    await createUser(poolId, 'alice');
    await createGroup(poolId, 'zeta', { Precedence: 1 });
    await createGroup(poolId, 'beta', { Precedence: 10 });
    await createGroup(poolId, 'alpha', { Precedence: 10 });
    await createGroup(poolId, 'unranked');
    await createGroup(poolId, 'also-unranked');
    await createGroup(poolId, 'top', { Precedence: 0 });
    for (const name of ['unranked', 'beta', 'zeta', 'also-unranked', 'top', 'alpha']) await add(poolId, 'alice', name);
    assert.deepEqual(await claimGroups(poolId, 'alice'), ['top', 'zeta', 'alpha', 'beta', 'also-unranked', 'unranked']);
    await region.cognito.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'unranked', Precedence: 0 }));
    assert.deepEqual(await claimGroups(poolId, 'alice'), ['top', 'unranked', 'zeta', 'alpha', 'beta', 'also-unranked']);
  });

  test('cognito:roles and cognito:preferred_role: the groups\' roles, and the role of the best-ranked ones when they agree', async () => {
    const poolId = await newPool();
    await createUser(poolId, 'bob');
    const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
    await createGroup(poolId, 'editors', { Precedence: 5, RoleArn: role('editors') });
    await createGroup(poolId, 'admins', { Precedence: 1, RoleArn: role('admins') });
    await createGroup(poolId, 'readers', { RoleArn: role('readers') });
    await createGroup(poolId, 'no-role', { Precedence: 0 });
    for (const name of ['editors', 'readers', 'no-role', 'admins']) await add(poolId, 'bob', name);
    assert.deepEqual(await claimRoles(poolId, 'bob'), { roles: [role('admins'), role('editors'), role('readers')], preferredRole: role('admins') });
    // Two groups at the best rank with different roles: no preferred role.
    await createGroup(poolId, 'auditors', { Precedence: 1, RoleArn: role('auditors') });
    await add(poolId, 'bob', 'auditors');
    assert.deepEqual(await claimRoles(poolId, 'bob'), { roles: [role('admins'), role('auditors'), role('editors'), role('readers')], preferredRole: undefined });

    // And in the ID token the pool signs.
    const clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'bob', Password: 'Bob-Passw0rd!', Permanent: true }));
    const signedIn = await region.cognito.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bob', PASSWORD: 'Bob-Passw0rd!' } }));
    const idToken = JSON.parse(Buffer.from(signedIn.AuthenticationResult!.IdToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(idToken['cognito:roles'], [role('admins'), role('auditors'), role('editors'), role('readers')]);
    assert.equal(idToken['cognito:preferred_role'], undefined);
    assert.deepEqual(idToken['cognito:groups'], ['no-role', 'admins', 'auditors', 'editors', 'readers']);
  });
});
