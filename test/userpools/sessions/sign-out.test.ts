import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, TestClock, TEST_ADMIN, type TestRegion } from '../../support/region.ts';
import { PASSWORD, poolWithUser, refresh, signIn } from '../account/signed-in-user.ts';

describe('sign-out: GlobalSignOut, AdminUserGlobalSignOut, and sessions ended by password changes and disable', () => {
  const clock = new TestClock();
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
  });
  after(async () => {
    await region.stop();
  });

  const revokedAccess = { name: 'NotAuthorizedException', message: 'Access Token has been revoked' };
  const revokedRefresh = { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' };
  const getUser = (accessToken: string) => region.cognito.send(new GetUserCommand({ AccessToken: accessToken }));

  test('GlobalSignOut ends every session of the user, including the calling one; other users keep theirs', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const first = await signIn(region.cognito, setup);
    const second = await signIn(region.cognito, setup);
    const refreshedBefore = await refresh(region.cognito, setup, second.RefreshToken);
    const bob = await poolWithUser(region.cognito, { clock, username: 'bob' });
    const bobTokens = await signIn(region.cognito, bob);

    const answer = await region.cognito.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken }));
    assert.deepEqual(Object.keys(answer).filter((key) => key !== '$metadata'), []);

    for (const token of [first.AccessToken, second.AccessToken, refreshedBefore]) await assert.rejects(getUser(token), revokedAccess);
    for (const token of [first.RefreshToken, second.RefreshToken]) await assert.rejects(refresh(region.cognito, setup, token), revokedRefresh);
    await assert.rejects(region.cognito.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken })), revokedAccess);
    assert.equal((await getUser(bobTokens.AccessToken)).Username, 'bob');
  });

  test('a new sign-in one millisecond after GlobalSignOut works (session ids carry milliseconds, not seconds)', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const old = await signIn(region.cognito, setup);
    await region.cognito.send(new GlobalSignOutCommand({ AccessToken: old.AccessToken }));
    clock.advance(1);
    const fresh = await signIn(region.cognito, setup);
    assert.equal((await getUser(fresh.AccessToken)).Username, 'alice');
    assert.ok(await refresh(region.cognito, setup, fresh.RefreshToken));
    await assert.rejects(refresh(region.cognito, setup, old.RefreshToken), revokedRefresh);
  });

  test('AdminUserGlobalSignOut ends every session of the named user (by username or alias)', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    const answer = await region.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: setup.poolId, Username: 'ALICE' }));
    assert.deepEqual(Object.keys(answer).filter((key) => key !== '$metadata'), []);
    await assert.rejects(getUser(tokens.AccessToken), revokedAccess);
    await assert.rejects(refresh(region.cognito, setup, tokens.RefreshToken), revokedRefresh);
    clock.advance(1);
    assert.equal((await getUser((await signIn(region.cognito, setup)).AccessToken)).Username, 'alice');
  });

  test('AdminUserGlobalSignOut errors: unknown user, unknown pool, no IAM signature', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    await assert.rejects(region.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: setup.poolId, Username: 'nobody' })), {
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
    await assert.rejects(region.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: 'us-east-1_nowhere00', Username: 'alice' })), {
      name: 'ResourceNotFoundException',
    });
    const stranger = region.cognitoWith({ accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: 'not-the-admin-secret-key-000000000000' });
    await assert.rejects(stranger.send(new AdminUserGlobalSignOutCommand({ UserPoolId: setup.poolId, Username: 'alice' })));
    assert.ok(await signIn(region.cognito, setup), 'nothing was signed out');
  });

  test('AdminSetUserPassword ends every session at once, permanent or temporary', async () => {
    for (const permanent of [true, false]) {
      const setup = await poolWithUser(region.cognito, { clock });
      const tokens = await signIn(region.cognito, setup);
      await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: setup.poolId, Username: 'alice', Password: 'Admin-Set-Passw0rd!', Permanent: permanent }));
      await assert.rejects(refresh(region.cognito, setup, tokens.RefreshToken), revokedRefresh);
      await assert.rejects(getUser(tokens.AccessToken), revokedAccess);
    }
  });

  test('AdminDisableUser ends every session; AdminEnableUser does not revive them, a new sign-in works', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await assert.rejects(refresh(region.cognito, setup, tokens.RefreshToken), { name: 'NotAuthorizedException', message: 'User is disabled.' });
    await region.cognito.send(new AdminEnableUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await assert.rejects(refresh(region.cognito, setup, tokens.RefreshToken), revokedRefresh);
    await assert.rejects(getUser(tokens.AccessToken), revokedAccess);
    clock.advance(1);
    const fresh = await signIn(region.cognito, setup, PASSWORD);
    assert.ok(await refresh(region.cognito, setup, fresh.RefreshToken));
  });

  test('AdminEnableUser of an enabled user ends nothing', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminEnableUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    assert.ok(await refresh(region.cognito, setup, tokens.RefreshToken));
    const refreshed = await region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: setup.clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } }),
    );
    assert.equal((await getUser(refreshed.AuthenticationResult!.AccessToken!)).Username, 'alice');
  });
});
