import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, type TestRegion } from '../support/region.ts';
import { StoreProbe, whileThreadPoolHeld } from '../support/store-probe.ts';

/**
 * A pool's write transaction holds up every other writer of the pool (PostgreSQL's `pools` row
 * lock, SQLite's writer queue), so the slow crypto of user-facing writes (Argon2id, RS256) runs
 * before or after it. These tests hold libuv's thread pool, where that crypto runs, at the point
 * where it would have been inside the transaction, and write to the same pool meanwhile; then
 * they check that the flows answer as before.
 */
describe('slow crypto of user-facing writes runs outside the pool transaction', () => {
  let region: TestRegion;
  let probe: StoreProbe;
  before(async () => {
    region = await startTestRegion();
    probe = new StoreProbe(region.region.store);
  });
  after(async () => {
    await region.stop();
  });

  /** A pool, a client, alice with a temporary password, and bob, whom the concurrent writes change. */
  async function pool() {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'slow-crypto' }))).UserPool!.Id!;
    const clientId = (
      await region.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      )
    ).UserPoolClient!.ClientId!;
    for (const username of ['alice', 'bob']) {
      await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', TemporaryPassword: 'First-Temp-Passw0rd!' }));
    }
    let serial = 0;
    const otherWrite = () => {
      serial += 1;
      return region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'bob', UserAttributes: [{ Name: 'name', Value: `Bob ${serial}` }] }));
    };
    const signIn = (password: string) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    const status = async () => (await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus;
    return { poolId, clientId, otherWrite, signIn, status };
  }

  test('AdminCreateUser RESEND hashes the new temporary password before its transaction; the old one stops working', async () => {
    const { poolId, otherWrite, signIn, status } = await pool();
    const resent = await whileThreadPoolHeld(probe, { holdFrom: 'now', otherWrite }, () =>
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'RESEND', TemporaryPassword: 'Second-Temp-Passw0rd!' })),
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
      region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'RESEND', TemporaryPassword: 'Second-Temp-Passw0rd!' }));
    await assert.rejects(resend('nobody'), { name: 'UserNotFoundException' });
    const challenged = await region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'First-Temp-Passw0rd!' } }),
    );
    await region.cognito.send(
      new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenged.Session, ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Chosen-Passw0rd!' } }),
    );
    await assert.rejects(resend('alice'), { name: 'UnsupportedUserStateException', message: 'Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.' });
  });
});
