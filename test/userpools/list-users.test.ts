import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolCommand,
  ListUsersCommand,
  paginateListUsers,
  type CreateUserPoolCommandInput,
  type ListUsersCommandInput,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { collectUsers, type UserSource } from '../../src/userpools/users/list-users.ts';
import type { UserRecord } from '../../src/userpools/users/user-record.ts';
import { postAwsJson, startTestRegion, type TestRegion } from '../support/region.ts';

describe('ListUsers over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  const newPool = async (input: Partial<CreateUserPoolCommandInput> = {}) =>
    (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'list-users', UsernameConfiguration: { CaseSensitive: false }, ...input }))).UserPool!.Id!;
  const createUser = async (poolId: string, username: string, attributes: Record<string, string> = {}) =>
    (
      await region.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: 'Temp-Pass-123',
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
      )
    ).User!;
  const attributesOf = (user: UserType) => Object.fromEntries((user.Attributes ?? []).map((attribute) => [attribute.Name, attribute.Value]));
  const list = async (poolId: string, input: Partial<ListUsersCommandInput> = {}) =>
    (await region.cognito.send(new ListUsersCommand({ UserPoolId: poolId, ...input }))).Users ?? [];
  const names = async (poolId: string, filter: string) => (await list(poolId, { Filter: filter })).map((user) => user.Username).sort();

  /** Follows PaginationToken to the end, checking every page against Limit. */
  const collectAll = async (poolId: string, input: Partial<ListUsersCommandInput>) => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await region.cognito.send(new ListUsersCommand({ UserPoolId: poolId, ...input, PaginationToken: token }));
      assert.ok((page.Users ?? []).length <= (input.Limit ?? 60));
      seen.push(...(page.Users ?? []).map((user) => user.Username!));
      token = page.PaginationToken;
      pages += 1;
      assert.ok(pages < 50, 'pagination must end');
    } while (token);
    return { seen, pages };
  };

  /** A pool with a known cast, shared by the read-only filter tests below. */
  let cast: string;
  let bobSub: string;
  before(async () => {
    cast = await newPool();
    await createUser(cast, 'alice', { email: 'Alice@Example.com', given_name: 'Alice', family_name: 'Reddy', name: 'Alice Reddy', phone_number: '+15555550101' });
    bobSub = attributesOf(await createUser(cast, 'bob', { email: 'bob@example.org', given_name: 'Bob', family_name: 'Reddy', preferred_username: 'bobby' }))
      .sub!;
    await createUser(cast, 'Carol', { email: 'carol@example.com', given_name: 'Carol "CJ"', name: 'Carol Jones', phone_number: '+445555550102' });
    await createUser(cast, 'dave', { email: 'dave@example.com', given_name: 'Dave' });
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: cast, Username: 'bob', Password: 'Perm-Pass-123', Permanent: true }));
    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: cast, Username: 'dave' }));
  });

  test('with no filter, lists every user as UserType with all attributes', async () => {
    const users = await list(cast);
    assert.deepEqual(users.map((user) => user.Username).sort(), ['Carol', 'alice', 'bob', 'dave']);
    const alice = users.find((user) => user.Username === 'alice')!;
    assert.equal(alice.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(alice.Enabled, true);
    assert.ok(alice.UserCreateDate instanceof Date);
    assert.ok(alice.UserLastModifiedDate instanceof Date);
    assert.equal(attributesOf(alice).email, 'Alice@Example.com');
    assert.match(attributesOf(alice).sub!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await names(cast, ''), ['Carol', 'alice', 'bob', 'dave'], 'an empty filter lists everyone');
  });

  test('= filters on indexed attributes are exact and case-insensitive', async () => {
    assert.deepEqual(await names(cast, 'email = "alice@example.com"'), ['alice']);
    assert.deepEqual(await names(cast, 'email = "ALICE@EXAMPLE.COM"'), ['alice']);
    assert.deepEqual(await names(cast, 'email = "alice"'), [], '= is not a prefix match');
    assert.deepEqual(await names(cast, 'family_name = "reddy"'), ['alice', 'bob']);
    assert.deepEqual(await names(cast, 'given_name = "Bob"'), ['bob']);
    assert.deepEqual(await names(cast, 'name = "carol jones"'), ['Carol']);
    assert.deepEqual(await names(cast, 'preferred_username = "BOBBY"'), ['bob']);
    assert.deepEqual(await names(cast, 'phone_number = "+15555550101"'), ['alice']);
    assert.deepEqual(await names(cast, 'phone_number = "+1555"'), []);
    assert.deepEqual(await names(cast, 'email="dave@example.com"'), ['dave'], 'spaces around the operator are optional');
  });

  test('username and sub filters', async () => {
    assert.deepEqual(await names(cast, 'username = "carol"'), ['Carol'], 'usernames follow the pool: case-insensitive by default');
    assert.deepEqual(await names(cast, 'username = "bob"'), ['bob']);
    assert.deepEqual(await names(cast, 'username ^= "CA"'), ['Carol']);
    assert.deepEqual(await names(cast, `sub = "${bobSub}"`), ['bob']);
    assert.deepEqual(await names(cast, `sub ^= "${bobSub.slice(0, 8)}"`), ['bob']);
    assert.deepEqual(await names(cast, 'sub = "00000000-0000-0000-0000-000000000000"'), []);

    const sensitive = await newPool({ UsernameConfiguration: { CaseSensitive: true } });
    await createUser(sensitive, 'Erin');
    await createUser(sensitive, 'erin');
    assert.deepEqual(await names(sensitive, 'username = "Erin"'), ['Erin']);
    assert.deepEqual(await names(sensitive, 'username = "ERIN"'), []);
    assert.deepEqual(await names(sensitive, 'username ^= "e"'), ['erin']);
  });

  test('^= filters are case-insensitive prefix matches', async () => {
    assert.deepEqual(await names(cast, 'email ^= "ALICE@"'), ['alice']);
    assert.deepEqual(await names(cast, 'email ^= "carol@example"'), ['Carol']);
    assert.deepEqual(await names(cast, 'given_name ^= "d"'), ['dave']);
    assert.deepEqual(await names(cast, 'family_name ^= "Red"'), ['alice', 'bob']);
    assert.deepEqual(await names(cast, 'phone_number ^= "+44"'), ['Carol']);
    assert.deepEqual(await names(cast, 'name ^= "zz"'), []);
  });

  test('quotes inside the value are escaped with a backslash', async () => {
    assert.deepEqual(await names(cast, 'given_name = "Carol \\"CJ\\""'), ['Carol']);
    assert.deepEqual(await names(cast, 'given_name ^= "carol \\"c"'), ['Carol']);
  });

  test('cognito:user_status (case-insensitive) and status Enabled/Disabled (case-sensitive)', async () => {
    assert.deepEqual(await names(cast, 'cognito:user_status = "CONFIRMED"'), ['bob']);
    assert.deepEqual(await names(cast, 'cognito:user_status = "force_change_password"'), ['Carol', 'alice', 'dave']);
    assert.deepEqual(await names(cast, 'cognito:user_status ^= "Force"'), ['Carol', 'alice', 'dave']);
    assert.deepEqual(await names(cast, 'status = "Disabled"'), ['dave']);
    assert.deepEqual(await names(cast, 'status = "Enabled"'), ['Carol', 'alice', 'bob']);
    assert.deepEqual(await names(cast, 'status = "enabled"'), []);
  });

  test('AttributesToGet returns only the named attributes; an empty list returns none', async () => {
    const [alice] = await list(cast, { Filter: 'username = "alice"', AttributesToGet: ['email', 'given_name'] });
    assert.deepEqual(alice!.Attributes, [
      { Name: 'email', Value: 'Alice@Example.com' },
      { Name: 'given_name', Value: 'Alice' },
    ]);
    assert.equal(alice!.Username, 'alice');
    assert.equal(alice!.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const [withSub] = await list(cast, { Filter: 'username = "alice"', AttributesToGet: ['sub'] });
    assert.deepEqual(withSub!.Attributes?.map((attribute) => attribute.Name), ['sub']);
    const [bare] = await list(cast, { Filter: 'username = "alice"', AttributesToGet: [] });
    assert.deepEqual(bare!.Attributes ?? [], []);
    const [all] = await list(cast, { Filter: 'username = "alice"' });
    assert.ok(all!.Attributes!.length >= 6);
  });

  test('pagination over 7 users with Limit 3 returns each user exactly once, with and without filters', async () => {
    const poolId = await newPool();
    const created: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const username = `user${index}`;
      await createUser(poolId, username, { email: `${index % 2 ? 'odd' : 'even'}${index}@example.com`, family_name: 'Same' });
      created.push(username);
    }
    await createUser(poolId, 'other', { email: 'zz@example.com' });

    const everyone = await collectAll(poolId, { Limit: 3 });
    assert.deepEqual([...everyone.seen].sort(), [...created, 'other'].sort());
    assert.equal(new Set(everyone.seen).size, everyone.seen.length, 'no user twice');
    assert.equal(everyone.pages, 3, '8 users in pages of 3, with no empty last page');

    const bySurname = await collectAll(poolId, { Limit: 3, Filter: 'family_name = "same"' });
    assert.deepEqual([...bySurname.seen].sort(), created);
    assert.equal(bySurname.pages, 3);

    const odd = await collectAll(poolId, { Limit: 3, Filter: 'email ^= "odd"' });
    assert.deepEqual([...odd.seen].sort(), ['user1', 'user3', 'user5']);
    const prefixed = await collectAll(poolId, { Limit: 3, Filter: 'username ^= "user"' });
    assert.deepEqual([...prefixed.seen].sort(), created);
    assert.equal(new Set(prefixed.seen).size, 7);
    const single = await collectAll(poolId, { Limit: 1, Filter: 'email ^= "even"' });
    assert.deepEqual([...single.seen].sort(), ['user0', 'user2', 'user4', 'user6']);

    const viaPaginator: string[] = [];
    for await (const page of paginateListUsers({ client: region.cognito, pageSize: 2 }, { UserPoolId: poolId, Filter: 'status = "Enabled"' })) {
      viaPaginator.push(...(page.Users ?? []).map((user) => user.Username!));
    }
    assert.deepEqual(viaPaginator.sort(), [...created, 'other'].sort());
  });

  test('a user deleted mid-walk is simply not listed; nobody is skipped or repeated', async () => {
    const poolId = await newPool();
    const all = ['walker0', 'walker1', 'walker2', 'walker3', 'walker4'];
    for (const username of all) await createUser(poolId, username);
    const first = await region.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2 }));
    const listedFirst = first.Users!.map((user) => user.Username!);
    const [deleted, ...expected] = all.filter((name) => !listedFirst.includes(name));
    await region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: deleted! }));
    const rest: string[] = [];
    let token = first.PaginationToken;
    while (token) {
      const page = await region.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, PaginationToken: token }));
      rest.push(...page.Users!.map((user) => user.Username!));
      token = page.PaginationToken;
    }
    assert.deepEqual(rest.sort(), expected.sort());
  });

  test('Limit defaults to 60 and accepts 0 (the default) to 60; more is InvalidParameterException', async () => {
    assert.equal((await list(cast, { Limit: 0 })).length, 4);
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, Limit: 61 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, Limit: -1 })), { name: 'InvalidParameterException' });
  });

  test('malformed filters and unsearchable attributes are InvalidParameterException', async () => {
    for (const filter of ['email', 'email = alice', 'email = "alice', 'email == "a"', 'custom:tier = "gold"', 'address ^= "x"', 'email = "a" and name = "b"', 'Email = "a"']) {
      await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, Filter: filter })), { name: 'InvalidParameterException', message: /Error while parsing filter/ }, filter);
    }
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, Filter: `email = "${'a'.repeat(260)}"` })), { name: 'InvalidParameterException' });
  });

  test('a bad or foreign pagination token is InvalidParameterException', async () => {
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, PaginationToken: 'not-a-token' })), { name: 'InvalidParameterException' });
    const foreign = Buffer.from(JSON.stringify(['groups', 'x'])).toString('base64url');
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: cast, PaginationToken: foreign })), { name: 'InvalidParameterException' });
  });

  test('an unknown pool is ResourceNotFoundException; unsigned requests are refused', async () => {
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: 'us-east-1_Missing00' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new ListUsersCommand({ UserPoolId: 'us-east-1_Missing00', Filter: 'email = "a@b.c"' })), { name: 'ResourceNotFoundException' });
    const unsigned = await postAwsJson(region.url, 'AWSCognitoIdentityProviderService.ListUsers', JSON.stringify({ UserPoolId: cast }));
    assert.equal(unsigned.status >= 400, true);
    assert.notEqual(unsigned.json?.__type, undefined);
  });

  test('listed users match AdminGetUser', async () => {
    const [carol] = await list(cast, { Filter: 'email = "carol@example.com"' });
    const fetched = await region.cognito.send(new AdminGetUserCommand({ UserPoolId: cast, Username: 'Carol' }));
    assert.equal(carol!.Username, fetched.Username);
    assert.deepEqual(carol!.Attributes, fetched.UserAttributes);
    assert.equal(carol!.UserStatus, fetched.UserStatus);
  });
});

describe('ListUsers paging over a filtered scan', () => {
  /** An in-memory source paging like the store: id order, `after` exclusive, nextAfter when more. */
  const sourceOf = (ids: string[]): UserSource => async (after, limit) => {
    const rest = ids.filter((id) => after === null || id > after);
    const items = rest.slice(0, limit).map((id) => ({ id, value: { id, username: id } as UserRecord }));
    return { items, nextAfter: rest.length > limit ? items[items.length - 1]!.id : null };
  };
  const ids = Array.from({ length: 57 }, (_, index) => `id${String(index).padStart(3, '0')}`);

  test('short pages from the scan budget neither skip nor repeat a match', async () => {
    const matches = (user: UserRecord) => Number(user.id.slice(2)) % 7 === 3;
    for (const [limit, batch, budget] of [[1, 4, 8], [2, 5, 5], [3, 10, 10], [5, 3, 7], [60, 100, 1000], [4, 1, 1]] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      let calls = 0;
      do {
        const page = await collectUsers(sourceOf(ids), matches, after, limit, { batch, budget });
        assert.ok(page.users.length <= limit);
        seen.push(...page.users.map((user) => user.id));
        after = page.next;
        calls += 1;
        assert.ok(calls < 200);
      } while (after !== null);
      assert.deepEqual(seen, ids.filter((id) => matches({ id } as UserRecord)), `limit ${limit}, batch ${batch}, budget ${budget}`);
    }
  });

  test('no token when the last match ends the page and nothing after it can match', async () => {
    const page = await collectUsers(sourceOf(['a', 'b', 'c']), (user) => user.id !== 'c', null, 2, { batch: 10 });
    assert.deepEqual(page, { users: [{ id: 'a', username: 'a' }, { id: 'b', username: 'b' }], next: null });
    const more = await collectUsers(sourceOf(['a', 'b', 'c']), () => true, null, 2, { batch: 10 });
    assert.equal(more.next, 'b');
  });
});
