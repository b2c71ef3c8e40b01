import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  ChangePasswordCommand,
  DeleteUserCommand,
  GetUserCommand,
  UpdateUserAttributesCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';
import { attributesOf, PASSWORD, poolWithUser, refresh, signIn } from './signed-in-user.ts';

describe('what a signed-in user does with their access token', () => {
  const clock = new TestClock();
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
  });
  after(async () => {
    await region.stop();
  });

  const getUser = (accessToken: string) => region.cognito.send(new GetUserCommand({ AccessToken: accessToken }));
  const update = (accessToken: string, attributes: AttributeType[]) =>
    region.cognito.send(new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: attributes }));
  const changePassword = (accessToken: string, previous: string | undefined, proposed: string) =>
    region.cognito.send(new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: previous, ProposedPassword: proposed }));

  test('GetUser answers the username and the attributes, sub first, without developer-only ones', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    const user = await getUser(AccessToken);
    assert.equal(user.Username, 'alice');
    assert.equal(user.UserAttributes?.[0]?.Name, 'sub');
    const attributes = attributesOf(user.UserAttributes);
    assert.match(attributes.sub!, /^[0-9a-f-]{36}$/);
    assert.equal(attributes.email, 'alice@example.com');
    assert.equal(attributes.email_verified, 'true');
    assert.equal(attributes['custom:tier'], 'gold');
    assert.equal(attributes['custom:internal'], undefined, 'developer-only attributes are not shown to app clients');
    assert.deepEqual(user.UserMFASettingList, []);
    assert.equal(user.MFAOptions, undefined);
  });

  test('GetUser shows only what the app client may read (plus sub)', async () => {
    const setup = await poolWithUser(region.cognito, { clock, client: { ReadAttributes: ['email', 'custom:tier'] } });
    const { AccessToken } = await signIn(region.cognito, setup);
    assert.deepEqual(Object.keys(attributesOf((await getUser(AccessToken)).UserAttributes)).sort(), ['custom:tier', 'email', 'sub']);
  });

  test('UpdateUserAttributes changes attributes; a new email becomes unverified; nothing is delivered', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    const answer = await update(AccessToken, [
      { Name: 'given_name', Value: 'Alice' },
      { Name: 'custom:tier', Value: 'platinum' },
      { Name: 'email', Value: 'alice@example.org' },
    ]);
    assert.deepEqual(answer.CodeDeliveryDetailsList, []);
    const attributes = attributesOf((await getUser(AccessToken)).UserAttributes);
    assert.equal(attributes.given_name, 'Alice');
    assert.equal(attributes['custom:tier'], 'platinum');
    assert.equal(attributes.email, 'alice@example.org');
    assert.equal(attributes.email_verified, 'false');
    const admin = attributesOf((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }))).UserAttributes);
    assert.equal(admin['custom:tier'], 'platinum');
  });

  test('UpdateUserAttributes refuses what the schema or the app client forbids, and changes nothing then', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    const unauthorized = { name: 'NotAuthorizedException', message: 'A client attempted to write unauthorized attribute' };
    await assert.rejects(update(AccessToken, [{ Name: 'email_verified', Value: 'true' }]), unauthorized);
    await assert.rejects(update(AccessToken, [{ Name: 'given_name', Value: 'Al' }, { Name: 'phone_number_verified', Value: 'true' }]), unauthorized);
    await assert.rejects(update(AccessToken, [{ Name: 'custom:internal', Value: 'promoted' }]), unauthorized);
    await assert.rejects(update(AccessToken, [{ Name: 'custom:badge', Value: 'admin' }]), {
      name: 'InvalidParameterException',
      message: 'Cannot modify the non-mutable attribute custom:badge.',
    });
    await assert.rejects(update(AccessToken, [{ Name: 'sub', Value: 'mine' }]), { name: 'InvalidParameterException' });
    await assert.rejects(update(AccessToken, [{ Name: 'custom:nonsense', Value: 'x' }]), { name: 'InvalidParameterException' });
    await assert.rejects(update(AccessToken, [{ Name: 'email', Value: 'not-an-email' }]), { name: 'InvalidParameterException', message: 'Invalid email address format.' });
    const attributes = attributesOf((await getUser(AccessToken)).UserAttributes);
    assert.equal(attributes.given_name, undefined, 'a refused request changes nothing');
    assert.equal(attributes['custom:badge'], 'founder');

    const limited = await poolWithUser(region.cognito, { clock, client: { WriteAttributes: ['given_name', 'email_verified'] } });
    const limitedToken = (await signIn(region.cognito, limited)).AccessToken;
    await assert.rejects(update(limitedToken, [{ Name: 'custom:tier', Value: 'platinum' }]), unauthorized);
    await update(limitedToken, [{ Name: 'given_name', Value: 'Alice' }, { Name: 'email_verified', Value: 'false' }]);
    assert.equal(attributesOf((await getUser(limitedToken)).UserAttributes).email_verified, 'false', 'a client given the flag may write it');
  });

  test('DeleteUser removes the user; its tokens then fail', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    assert.deepEqual(Object.keys(await region.cognito.send(new DeleteUserCommand({ AccessToken: tokens.AccessToken }))).filter((key) => key !== '$metadata'), []);
    await assert.rejects(region.cognito.send(new AdminGetUserCommand({ UserPoolId: setup.poolId, Username: 'alice' })), { name: 'UserNotFoundException' });
    await assert.rejects(getUser(tokens.AccessToken), { name: 'NotAuthorizedException', message: 'User does not exist.' });
    await assert.rejects(region.cognito.send(new DeleteUserCommand({ AccessToken: tokens.AccessToken })), { name: 'NotAuthorizedException' });
    await assert.rejects(refresh(region.cognito, setup, tokens.RefreshToken), { name: 'NotAuthorizedException' });
  });

  test('ChangePassword: the new password signs in, the old does not; other sessions end, the calling one stays', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const caller = await signIn(region.cognito, setup);
    const other = await signIn(region.cognito, setup);
    await changePassword(caller.AccessToken, PASSWORD, 'Brand-New-Passw0rd!');

    assert.equal((await getUser(caller.AccessToken)).Username, 'alice', 'the calling session keeps working');
    const refreshed = await refresh(region.cognito, setup, caller.RefreshToken);
    assert.equal((await getUser(refreshed)).Username, 'alice', 'and can still refresh');
    await assert.rejects(getUser(other.AccessToken), { name: 'NotAuthorizedException', message: 'Access Token has been revoked' });
    await assert.rejects(refresh(region.cognito, setup, other.RefreshToken), { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });

    clock.advance(1);
    await assert.rejects(signIn(region.cognito, setup, PASSWORD), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const fresh = await signIn(region.cognito, setup, 'Brand-New-Passw0rd!');
    assert.equal((await getUser(fresh.AccessToken)).Username, 'alice');
  });

  test('ChangePassword errors: wrong previous password, policy, missing previous password', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    await assert.rejects(changePassword(AccessToken, 'Wrong-Passw0rd!', 'Brand-New-Passw0rd!'), {
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await assert.rejects(changePassword(AccessToken, PASSWORD, 'short'), { name: 'InvalidPasswordException', message: /^Password did not conform with policy/ });
    await assert.rejects(changePassword(AccessToken, undefined, 'Brand-New-Passw0rd!'), { name: 'InvalidParameterException' });
    // Nothing changed: the old password still works.
    clock.advance(1);
    await signIn(region.cognito, setup, PASSWORD);
  });

  test('wrong previous passwords count toward the sign-in lockout; while locked, ChangePassword is LimitExceededException', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await assert.rejects(changePassword(AccessToken, 'Wrong-Passw0rd!', 'Brand-New-Passw0rd!'), { message: 'Incorrect username or password.' });
    }
    await assert.rejects(changePassword(AccessToken, PASSWORD, 'Brand-New-Passw0rd!'), {
      name: 'LimitExceededException',
      message: 'Attempt limit exceeded, please try after some time.',
    });
    await assert.rejects(signIn(region.cognito, setup, PASSWORD), { name: 'NotAuthorizedException', message: 'Password attempts exceeded' });
    clock.advance(1_001);
    await changePassword(AccessToken, PASSWORD, 'Brand-New-Passw0rd!');
  });
});
