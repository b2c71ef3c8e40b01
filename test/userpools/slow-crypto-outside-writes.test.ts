import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { probedTestRegion, whileThreadPoolHeld } from '../support/store-probe.ts';

/**
 * A pool's write transaction holds up every other writer of the pool (PostgreSQL's `pools` row
 * lock, SQLite's writer queue), so the slow crypto of user-facing writes (Argon2id, RS256) runs
 * before or after it. These tests hold libuv's thread pool, where that crypto runs, at the point
 * where it would have been inside the transaction, and write to the same pool meanwhile; then
 * they check that the flows answer as before.
 */
describe('slow crypto of user-facing writes runs outside the pool transaction', () => {
  const probed = probedTestRegion();

  /** A pool, a client, alice with a temporary password, and bob, whom the concurrent writes change. */
  async function pool() {
    const poolId = (await probed.region.cognito.send(new CreateUserPoolCommand({ PoolName: 'slow-crypto' }))).UserPool!.Id!;
    const clientId = (
      await probed.region.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      )
    ).UserPoolClient!.ClientId!;
    for (const username of ['alice', 'bob']) {
      await probed.region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', TemporaryPassword: 'First-Temp-Passw0rd!' }));
    }
    let serial = 0;
    const otherWrite = () => {
      serial += 1;
      return probed.region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'bob', UserAttributes: [{ Name: 'name', Value: `Bob ${serial}` }] }));
    };
    const signIn = (password: string) =>
      probed.region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    const status = async () => (await probed.region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus;
    return { poolId, clientId, otherWrite, signIn, status };
  }

  test('AdminCreateUser RESEND hashes the new temporary password before its transaction; the old one stops working', async () => {
    const { poolId, otherWrite, signIn, status } = await pool();
    const resent = await whileThreadPoolHeld(probed.probe, { holdFrom: 'now', otherWrite }, () =>
      probed.region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'RESEND', TemporaryPassword: 'Second-Temp-Passw0rd!' })),
    );
    assert.equal(resent.User?.Username, 'alice');
    assert.equal(resent.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(await status(), 'FORCE_CHANGE_PASSWORD');
    await assert.rejects(signIn('First-Temp-Passw0rd!'), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const challenged = await signIn('Second-Temp-Passw0rd!');
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(challenged.Session);
  });

  test('RESEND rules still hold: an unknown user, and a user who chose a password', async () => {
    const { poolId, clientId } = await pool();
    const resend = (username: string) =>
      probed.region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'RESEND', TemporaryPassword: 'Second-Temp-Passw0rd!' }));
    await assert.rejects(resend('nobody'), { name: 'UserNotFoundException' });
    const challenged = await probed.region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'First-Temp-Passw0rd!' } }),
    );
    await probed.region.cognito.send(
      new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenged.Session, ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Chosen-Passw0rd!' } }),
    );
    await assert.rejects(resend('alice'), { name: 'UnsupportedUserStateException', message: 'Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.' });
  });

  test('RespondToAuthChallenge NEW_PASSWORD_REQUIRED signs its tokens after the change commits', async () => {
    const { clientId, otherWrite, signIn, status } = await pool();
    const challenged = await signIn('First-Temp-Passw0rd!');
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const answered = await whileThreadPoolHeld(probed.probe, { holdFrom: 'next-transaction', otherWrite }, () =>
      probed.region.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenged.Session,
          ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Chosen-Passw0rd!', 'userAttributes.name': 'Alice' },
        }),
      ),
    );
    const tokens = answered.AuthenticationResult!;
    assert.ok(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken);
    assert.deepEqual(answered.ChallengeParameters, {});
    assert.equal(answered.ChallengeName, undefined);
    assert.equal(decodeJwt(tokens.IdToken).name, 'Alice');
    assert.equal(await status(), 'CONFIRMED');
    await assert.rejects(signIn('First-Temp-Passw0rd!'), { name: 'NotAuthorizedException' });
    assert.ok((await signIn('Chosen-Passw0rd!')).AuthenticationResult?.AccessToken);

    // The session the answer began is the user's like any other: a sign-out ends it.
    assert.equal((await probed.region.cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).Username, 'alice');
    await probed.region.cognito.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken }));
    await assert.rejects(probed.region.cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken })), { name: 'NotAuthorizedException' });
    await assert.rejects(
      probed.region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } })),
      { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' },
    );
  });

  test('AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED signs its tokens after the change commits; a second answer is refused', async () => {
    const { poolId, clientId, otherWrite, status } = await pool();
    const challenged = await probed.region.cognito.send(
      new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'First-Temp-Passw0rd!' } }),
    );
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const answer = () =>
      probed.region.cognito.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenged.Session,
          ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Chosen-Passw0rd!' },
        }),
      );
    const answered = await whileThreadPoolHeld(probed.probe, { holdFrom: 'next-transaction', otherWrite }, answer);
    assert.ok(answered.AuthenticationResult?.AccessToken && answered.AuthenticationResult.RefreshToken);
    assert.equal(decodeJwt(answered.AuthenticationResult.AccessToken).username, 'alice');
    assert.equal(await status(), 'CONFIRMED');
    await assert.rejects(answer(), { name: 'NotAuthorizedException', message: 'Invalid session for the user.' });
  });
});
