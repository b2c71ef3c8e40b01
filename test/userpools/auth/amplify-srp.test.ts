import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestRegion, type TestRegion } from '../../support/region.ts';

/** amazon-cognito-identity-js (Amplify's SRP client), unchanged, pointed at the region. */
function signInWithSrp(pool: CognitoUserPool, username: string, password: string, newPassword?: string): Promise<CognitoUserSession> {
  const user = new CognitoUser({ Username: username, Pool: pool });
  user.setAuthenticationFlowType('USER_SRP_AUTH');
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => {
        if (!newPassword) return reject(new Error('unexpected NEW_PASSWORD_REQUIRED'));
        user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: resolve, onFailure: reject });
      },
    });
  });
}

describe('SRP sign-in with amazon-cognito-identity-js', () => {
  let region: TestRegion;
  let poolId: string;
  let clientPool: CognitoUserPool;

  before(async () => {
    region = await startTestRegion();
    poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'srp' }))).UserPool!.Id!;
    const clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web' }))).UserPoolClient!.ClientId!;
    clientPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: region.url });
  });
  after(async () => {
    await region.stop();
  });

  test('a confirmed user signs in with SRP and gets tokens that verify against the JWKS', async () => {
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'srp-user', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'srp@example.com' }] }));
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'srp-user', Password: 'Srp-Passw0rd!', Permanent: true }));
    const session = await signInWithSrp(clientPool, 'srp-user', 'Srp-Passw0rd!');
    assert.ok(session.isValid());
    const issuer = `${region.url}/${poolId}`;
    const { payload } = await jwtVerify(session.getIdToken().getJwtToken(), createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer });
    assert.equal(payload['cognito:username'], 'srp-user');
    assert.equal(payload.email, 'srp@example.com');
  });

  test('a wrong password fails with NotAuthorizedException', async () => {
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'srp-wrong', MessageAction: 'SUPPRESS' }));
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'srp-wrong', Password: 'Srp-Passw0rd!', Permanent: true }));
    await assert.rejects(signInWithSrp(clientPool, 'srp-wrong', 'Not-The-Passw0rd!'), (error: { code?: string; name?: string; message?: string }) => {
      assert.equal(error.code ?? error.name, 'NotAuthorizedException');
      assert.equal(error.message, 'Incorrect username or password.');
      return true;
    });
  });

  test('an invited user completes NEW_PASSWORD_REQUIRED through SRP, then refreshes', async () => {
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'srp-new', MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-Passw0rd!' }));
    const session = await signInWithSrp(clientPool, 'srp-new', 'Temp-Passw0rd!', 'Chosen-Passw0rd!');
    assert.ok(session.getAccessToken().getJwtToken());
    const user = new CognitoUser({ Username: 'srp-new', Pool: clientPool });
    const refreshed = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.refreshSession(session.getRefreshToken(), (error: Error | null, result: CognitoUserSession) => (error ? reject(error) : resolve(result))),
    );
    assert.ok(refreshed.getIdToken().getJwtToken());
    const again = await signInWithSrp(clientPool, 'srp-new', 'Chosen-Passw0rd!');
    assert.ok(again.isValid());
  });

  test('an unknown user fails like Cognito (UserNotFoundException under LEGACY)', async () => {
    await assert.rejects(signInWithSrp(clientPool, 'nobody-here', 'Whatever-1!'), (error: { code?: string; name?: string }) => {
      assert.equal(error.code ?? error.name, 'UserNotFoundException');
      return true;
    });
  });
});
