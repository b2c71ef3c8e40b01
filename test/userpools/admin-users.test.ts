import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, type TestRegion } from '../support/region.ts';

describe('admin user actions over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  const newPool = async (input: Partial<CreateUserPoolCommandInput> = {}) =>
    (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'users', UsernameConfiguration: { CaseSensitive: false }, ...input }))).UserPool!.Id!;
  const attributesOf = (list: Array<{ Name?: string; Value?: string }> | undefined) =>
    Object.fromEntries((list ?? []).map((attribute) => [attribute.Name, attribute.Value]));

  test('a pool created without UsernameConfiguration has case-sensitive usernames (the API default)', async () => {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'default-case' }))).UserPool!.Id!;
    assert.deepEqual((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.UsernameConfiguration, { CaseSensitive: true });
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'Alice', MessageAction: 'SUPPRESS' }));
    await assert.rejects(region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' })), { name: 'UserNotFoundException' });
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Alice' }))).Username, 'Alice');
  });

  test('AdminCreateUser creates a FORCE_CHANGE_PASSWORD user with a sub, and AdminGetUser finds it', async () => {
    const poolId = await newPool({ Schema: [{ Name: 'tier', AttributeDataType: 'String' }] });
    const { User } = await region.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'alice',
        TemporaryPassword: 'Temp-Pass-123',
        UserAttributes: [
          { Name: 'email', Value: 'alice@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'custom:tier', Value: 'gold' },
        ],
        MessageAction: 'SUPPRESS',
      }),
    );
    assert.equal(User?.Username, 'alice');
    assert.equal(User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(User?.Enabled, true);
    const created = attributesOf(User?.Attributes);
    assert.match(created.sub!, /^[0-9a-f-]{36}$/);
    assert.equal(created['custom:tier'], 'gold');

    const fetched = await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ALICE' }));
    assert.equal(fetched.Username, 'alice', 'usernames are case-insensitive by default');
    assert.equal(attributesOf(fetched.UserAttributes).email, 'alice@example.com');
    assert.ok(fetched.UserCreateDate instanceof Date);
    const bySub = await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: created.sub }));
    assert.equal(bySub.Username, 'alice');
    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.EstimatedNumberOfUsers, 1);
  });

  test('AdminCreateUser errors: duplicates, policy, schema, unknown pool, RESEND rules', async () => {
    const poolId = await newPool({ Schema: [{ Name: 'email', Required: true }] });
    const create = (username: string, extra: Partial<ConstructorParameters<typeof AdminCreateUserCommand>[0]> = {}) =>
      region.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }], ...extra }),
      );
    await create('bob');
    await assert.rejects(create('BOB'), { name: 'UsernameExistsException' });
    await assert.rejects(create('carol', { TemporaryPassword: 'short' }), { name: 'InvalidPasswordException' });
    await assert.rejects(create('dave', { UserAttributes: [] }), { name: 'InvalidParameterException' });
    await assert.rejects(create('erin', { UserAttributes: [{ Name: 'email', Value: 'e@example.com' }, { Name: 'nonsense', Value: 'x' }] }), { name: 'InvalidParameterException' });
    await assert.rejects(create('frank', { UserAttributes: [{ Name: 'email', Value: 'not-an-email' }] }), { name: 'InvalidParameterException' });
    await assert.rejects(create('gina', { UserAttributes: [{ Name: 'email', Value: 'g@example.com' }, { Name: 'sub', Value: 'mine' }] }), { name: 'InvalidParameterException' });
    await assert.rejects(
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: 'us-east-1_nothere00', Username: 'x', MessageAction: 'SUPPRESS' })),
      { name: 'ResourceNotFoundException' },
    );
    await assert.rejects(create('nobody', { MessageAction: 'RESEND' }), { name: 'UserNotFoundException' });
    const resent = await create('bob', { MessageAction: 'RESEND' });
    assert.equal(resent.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
  });

  test('an invitation with the temporary password goes to the outbox unless suppressed', async () => {
    const poolId = await newPool();
    await region.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ivy', DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: 'ivy@example.com' }] }),
    );
    const [message] = region.region.outbox.list({ poolId, username: 'ivy' });
    assert.equal(message?.channel, 'EMAIL');
    assert.equal(message?.destination, 'ivy@example.com');
    assert.ok(message?.code && message.body.includes(message.code));
    await region.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'quiet', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'q@example.com' }] }),
    );
    assert.equal(region.region.outbox.list({ poolId, username: 'quiet' }).length, 0);
  });

  test('pools signing in by email store a UUID username and find users by email', async () => {
    const poolId = await newPool({ UsernameAttributes: ['email'] });
    const { User } = await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'Jane@Example.com', MessageAction: 'SUPPRESS' }));
    assert.match(User!.Username!, /^[0-9a-f-]{36}$/);
    const fetched = await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'jane@example.com' }));
    assert.equal(fetched.Username, User!.Username);
    await assert.rejects(
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'jane@example.com', MessageAction: 'SUPPRESS' })),
      { name: 'UsernameExistsException' },
    );
    await assert.rejects(
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'plainname', MessageAction: 'SUPPRESS' })),
      { name: 'InvalidParameterException' },
    );
  });

  test('verified email aliases are unique unless ForceAliasCreation moves them', async () => {
    const poolId = await newPool({ AliasAttributes: ['email'] });
    const verified = [{ Name: 'email', Value: 'shared@example.com' }, { Name: 'email_verified', Value: 'true' }];
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'first', MessageAction: 'SUPPRESS', UserAttributes: verified }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'shared@example.com' }))).Username, 'first');
    await assert.rejects(
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'second', MessageAction: 'SUPPRESS', UserAttributes: verified })),
      { name: 'AliasExistsException' },
    );
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'second', MessageAction: 'SUPPRESS', UserAttributes: verified, ForceAliasCreation: true }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'shared@example.com' }))).Username, 'second');
    const first = await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'first' }));
    assert.equal(attributesOf(first.UserAttributes).email_verified, 'false');
  });

  test('AdminUpdateUserAttributes and AdminDeleteUserAttributes follow the schema', async () => {
    const poolId = await newPool({ Schema: [{ Name: 'fixed', AttributeDataType: 'String', Mutable: false }, { Name: 'email', Required: true }] });
    await region.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'kim',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'kim@example.com' }, { Name: 'email_verified', Value: 'true' }, { Name: 'custom:fixed', Value: 'v1' }],
      }),
    );
    await region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'kim', UserAttributes: [{ Name: 'email', Value: 'kim2@example.com' }, { Name: 'given_name', Value: 'Kim' }] }));
    let attributes = attributesOf((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'kim' }))).UserAttributes);
    assert.equal(attributes.email, 'kim2@example.com');
    assert.equal(attributes.email_verified, 'false', 'a changed email is no longer verified');
    assert.equal(attributes.given_name, 'Kim');
    await assert.rejects(
      region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'kim', UserAttributes: [{ Name: 'custom:fixed', Value: 'v2' }] })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'nobody', UserAttributes: [{ Name: 'given_name', Value: 'x' }] })),
      { name: 'UserNotFoundException' },
    );
    await region.cognito.send(new AdminDeleteUserAttributesCommand({ UserPoolId: poolId, Username: 'kim', UserAttributeNames: ['given_name'] }));
    attributes = attributesOf((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'kim' }))).UserAttributes);
    assert.equal(attributes.given_name, undefined);
    await assert.rejects(
      region.cognito.send(new AdminDeleteUserAttributesCommand({ UserPoolId: poolId, Username: 'kim', UserAttributeNames: ['email'] })),
      { name: 'InvalidParameterException' },
    );
  });

  test('AdminSetUserPassword, AdminDisableUser/EnableUser and AdminDeleteUser', async () => {
    const poolId = await newPool();
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'lee', MessageAction: 'SUPPRESS' }));
    await assert.rejects(
      region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'lee', Password: 'weak', Permanent: true })),
      { name: 'InvalidPasswordException' },
    );
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'lee', Password: 'Str0ng-Passw0rd!', Permanent: true }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lee' }))).UserStatus, 'CONFIRMED');
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'lee', Password: 'Temp-Passw0rd!', Permanent: false }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lee' }))).UserStatus, 'FORCE_CHANGE_PASSWORD');

    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'lee' }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lee' }))).Enabled, false);
    await region.cognito.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'lee' }));
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lee' }))).Enabled, true);

    await region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'lee' }));
    await assert.rejects(region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lee' })), { name: 'UserNotFoundException' });
    await assert.rejects(region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'lee' })), { name: 'UserNotFoundException' });
    await assert.rejects(region.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'lee' })), { name: 'UserNotFoundException' });
  });
});
