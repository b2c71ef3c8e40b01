import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { mustChooseNewPassword, type UserRecord, type UserStatus } from '../../../src/userpools/users/user-record.ts';
import { postAwsJson, startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';
import { dropSigningKeys } from '../../support/signing-keys.ts';
import { SrpClient } from './srp-client.ts';

describe('password sign-in, challenges and refresh over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  async function poolWithUser(options: { secret?: boolean; prevent?: 'ENABLED' | 'LEGACY' } = {}) {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'sign-in', UsernameConfiguration: { CaseSensitive: false }, Schema: [{ Name: 'tier', AttributeDataType: 'String' }] }))).UserPool!.Id!;
    const client = (
      await region.cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'app',
          GenerateSecret: options.secret,
          PreventUserExistenceErrors: options.prevent,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
        }),
      )
    ).UserPoolClient!;
    await region.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'alice',
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Temp-Passw0rd!',
        UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'email_verified', Value: 'true' }, { Name: 'custom:tier', Value: 'gold' }],
      }),
    );
    return { poolId, clientId: client.ClientId!, secret: client.ClientSecret };
  }

  test('USER_PASSWORD_AUTH: NEW_PASSWORD_REQUIRED, then tokens that verify against the JWKS, then refresh', async () => {
    const { poolId, clientId } = await poolWithUser();
    const first = await region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Temp-Passw0rd!' } }),
    );
    assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(first.Session);
    const answered = await region.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: first.Session,
        ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'New-Passw0rd!' },
      }),
    );
    const tokens = answered.AuthenticationResult!;
    assert.ok(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken);
    assert.equal(tokens.TokenType, 'Bearer');
    assert.equal(tokens.ExpiresIn, 3600);

    const issuer = `${region.url}/${poolId}`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const id = (await jwtVerify(tokens.IdToken!, jwks, { issuer, audience: clientId })).payload;
    assert.equal(id.token_use, 'id');
    assert.equal(id['cognito:username'], 'alice');
    assert.equal(id.email, 'alice@example.com');
    assert.equal(id.email_verified, true);
    assert.equal(id['custom:tier'], 'gold');
    const access = (await jwtVerify(tokens.AccessToken!, jwks, { issuer })).payload;
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, clientId);
    assert.equal(access.scope, 'aws.cognito.signin.user.admin');
    assert.equal(access.username, 'alice');
    assert.equal(access.origin_jti, id.origin_jti);

    const refreshed = await region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }),
    );
    assert.ok(refreshed.AuthenticationResult?.AccessToken);
    assert.equal(refreshed.AuthenticationResult?.RefreshToken, undefined);
    const refreshedAccess = (await jwtVerify(refreshed.AuthenticationResult!.AccessToken!, jwks, { issuer })).payload;
    assert.equal(refreshedAccess.origin_jti, access.origin_jti);

    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, issuer);
  });

  // The challenge is issued and its answer accepted by one predicate (mustChooseNewPassword).
  // Every way the API gives a user a temporary password puts it in FORCE_CHANGE_PASSWORD, and
  // AdminResetUserPassword moves such a user to RESET_REQUIRED, which is refused before the
  // challenge: these are the paths that come nearest to a challenge that could not be answered.
  test('mustChooseNewPassword: FORCE_CHANGE_PASSWORD, or a temporary password on a CONFIRMED user; never RESET_REQUIRED or UNCONFIRMED', () => {
    const user = (status: UserStatus, temporary: boolean): UserRecord => ({
      id: 'u',
      username: 'alice',
      sub: 's',
      attributes: {},
      enabled: true,
      status,
      createdAt: 0,
      modifiedAt: 0,
      password: { hash: 'h', srpSalt: 's', srpVerifier: 'v', setAt: 0, temporary },
    });
    assert.equal(mustChooseNewPassword(user('FORCE_CHANGE_PASSWORD', true)), true);
    assert.equal(mustChooseNewPassword(user('FORCE_CHANGE_PASSWORD', false)), true);
    assert.equal(mustChooseNewPassword(user('CONFIRMED', true)), true);
    assert.equal(mustChooseNewPassword(user('CONFIRMED', false)), false);
    assert.equal(mustChooseNewPassword(user('RESET_REQUIRED', true)), false);
    assert.equal(mustChooseNewPassword(user('UNCONFIRMED', true)), false);
  });

  test('AdminSetUserPassword Permanent=false on a CONFIRMED user: NEW_PASSWORD_REQUIRED, answered, CONFIRMED again', async () => {
    const { poolId, clientId } = await poolWithUser();
    const status = async () => (await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus;
    const signIn = (password: string) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    assert.equal(await status(), 'CONFIRMED');
    assert.ok((await signIn('Right-Passw0rd!')).AuthenticationResult?.AccessToken);

    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Temp-Again-0rd!', Permanent: false }));
    assert.equal(await status(), 'FORCE_CHANGE_PASSWORD');
    const challenged = await signIn('Temp-Again-0rd!');
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const answered = await region.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenged.Session,
        ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Chosen-Passw0rd!' },
      }),
    );
    assert.ok(answered.AuthenticationResult?.AccessToken);
    assert.equal(await status(), 'CONFIRMED');
    const again = await signIn('Chosen-Passw0rd!');
    assert.equal(again.ChallengeName, undefined, 'no second challenge');
    assert.ok(again.AuthenticationResult?.AccessToken);
  });

  test('a new temporary password (RESEND, AdminSetUserPassword) voids challenges earned with the old one', async () => {
    const { poolId, clientId } = await poolWithUser();
    const signIn = (password: string) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    const answer = (session: string | undefined, password: string) =>
      region.cognito.send(
        new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: session, ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: password } }),
      );
    const withFirst = await signIn('Temp-Passw0rd!');
    assert.equal(withFirst.ChallengeName, 'NEW_PASSWORD_REQUIRED');

    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'RESEND', TemporaryPassword: 'Second-Temp-Passw0rd!' }));
    await assert.rejects(answer(withFirst.Session, 'Sneaky-Passw0rd!'), { name: 'NotAuthorizedException', message: 'Invalid session for the user.' });
    const withSecond = await signIn('Second-Temp-Passw0rd!');
    assert.equal(withSecond.ChallengeName, 'NEW_PASSWORD_REQUIRED');

    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Third-Temp-Passw0rd!', Permanent: false }));
    await assert.rejects(answer(withSecond.Session, 'Sneaky-Passw0rd!'), { name: 'NotAuthorizedException', message: 'Invalid session for the user.' });
    await assert.rejects(signIn('Sneaky-Passw0rd!'), { name: 'NotAuthorizedException' });

    const withThird = await signIn('Third-Temp-Passw0rd!');
    const chosen = await answer(withThird.Session, 'Chosen-Passw0rd!');
    assert.ok(chosen.AuthenticationResult?.AccessToken);
    assert.ok((await signIn('Chosen-Passw0rd!')).AuthenticationResult?.AccessToken);
  });

  test('AdminResetUserPassword of a user with a temporary password: PasswordResetRequired, an earlier challenge is void, the code ends it', async () => {
    const { poolId, clientId } = await poolWithUser();
    const status = async () => (await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus;
    const signIn = (password: string) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    const earlier = await signIn('Temp-Passw0rd!');
    assert.equal(earlier.ChallengeName, 'NEW_PASSWORD_REQUIRED');

    await region.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice' }));
    assert.equal(await status(), 'RESET_REQUIRED');
    await assert.rejects(signIn('Temp-Passw0rd!'), { name: 'PasswordResetRequiredException' });
    await assert.rejects(
      region.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: earlier.Session,
          ChallengeResponses: { USERNAME: 'alice', NEW_PASSWORD: 'Sneaky-Passw0rd!' },
        }),
      ),
      { name: 'NotAuthorizedException' },
      'a challenge from before the reset does not bypass it',
    );
    assert.equal(await status(), 'RESET_REQUIRED');

    const code = (await region.region.outbox.read({ poolId, username: 'alice' })).at(-1)!.code!;
    await region.cognito.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'alice', ConfirmationCode: code, Password: 'Reset-Passw0rd!' }));
    assert.equal(await status(), 'CONFIRMED');
    const after = await signIn('Reset-Passw0rd!');
    assert.equal(after.ChallengeName, undefined, 'the reset password is permanent: no challenge');
    assert.ok(after.AuthenticationResult?.AccessToken);
  });

  test('wrong password, unknown user (LEGACY and ENABLED), disabled user, flows not allowed', async () => {
    const { poolId, clientId } = await poolWithUser();
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    const signIn = (username: string, password: string, client = clientId) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: username, PASSWORD: password } }));
    await assert.rejects(signIn('alice', 'Wrong-Passw0rd!'), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await assert.rejects(signIn('nobody', 'Wrong-Passw0rd!'), { name: 'UserNotFoundException' });
    const ok = await signIn('alice', 'Right-Passw0rd!');
    assert.ok(ok.AuthenticationResult?.IdToken);
    const byEmail = await signIn('ALICE', 'Right-Passw0rd!');
    assert.ok(byEmail.AuthenticationResult?.IdToken);

    const enabled = await poolWithUser({ prevent: 'ENABLED' });
    await assert.rejects(signIn('nobody', 'Wrong-Passw0rd!', enabled.clientId), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });

    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    await assert.rejects(signIn('alice', 'Right-Passw0rd!'), { name: 'NotAuthorizedException', message: 'User is disabled.' });
    await assert.rejects(
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'x' } })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'unknownclient0000000000000', AuthParameters: { USERNAME: 'a', PASSWORD: 'b' } })),
      { name: 'ResourceNotFoundException' },
    );
  });

  test('SECRET_HASH is required and checked for clients with a secret; AdminInitiateAuth signs in', async () => {
    const { poolId, clientId, secret } = await poolWithUser({ secret: true });
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    const { createHmac } = await import('node:crypto');
    const hash = createHmac('sha256', secret!).update('alice' + clientId).digest('base64');
    const params = { USERNAME: 'alice', PASSWORD: 'Right-Passw0rd!' };
    await assert.rejects(region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: params })), {
      name: 'NotAuthorizedException',
    });
    await assert.rejects(
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { ...params, SECRET_HASH: 'AAAA' } })),
      { name: 'NotAuthorizedException' },
    );
    const ok = await region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { ...params, SECRET_HASH: hash } }));
    assert.ok(ok.AuthenticationResult?.AccessToken);
    const admin = await region.cognito.send(
      new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { ...params, SECRET_HASH: hash } }),
    );
    assert.ok(admin.AuthenticationResult?.IdToken);
  });

  test('a pool without signing keys is InternalErrorException (500) with the Cognito shape, not a bare crash', async () => {
    const { poolId, clientId } = await poolWithUser();
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    assert.equal(await dropSigningKeys(region.region.store, poolId), 2);
    const signIn = () =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Right-Passw0rd!' } }));
    await assert.rejects(signIn(), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, 'InternalErrorException');
      assert.equal(error.$metadata?.httpStatusCode, 500);
      assert.match(error.message, /no usable signing keys/);
      return true;
    });
    const raw = await postAwsJson(
      region.url,
      'AWSCognitoIdentityProviderService.InitiateAuth',
      JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Right-Passw0rd!' } }),
    );
    assert.equal(raw.status, 500);
    assert.deepEqual(Object.keys(raw.json ?? {}).sort(), ['__type', 'message']);
    assert.equal(raw.json?.__type, 'InternalErrorException');
    assert.doesNotMatch(raw.text, /at .*\.ts:\d+|SigningKeysMissing/, 'no stack trace or internal class name on the wire');
  });

  describe('RespondToAuthChallenge answers for the user the challenge was issued for', () => {
    const hashFor = (secret: string, clientId: string, username: string) => createHmac('sha256', secret).update(username + clientId).digest('base64');

    /** The pool of poolWithUser (alice, temporary password) plus bob, CONFIRMED with a permanent password. */
    async function twoUsers(secret: boolean) {
      const setup = await poolWithUser({ secret });
      await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: setup.poolId, Username: 'bob', MessageAction: 'SUPPRESS' }));
      await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: setup.poolId, Username: 'bob', Password: 'Bobs-Passw0rd!', Permanent: true }));
      const hash = (username: string): Record<string, string> => (setup.secret ? { SECRET_HASH: hashFor(setup.secret, setup.clientId, username) } : {});
      return { ...setup, hash };
    }

    test('NEW_PASSWORD_REQUIRED: another USERNAME, or a SECRET_HASH over another user, is NotAuthorizedException and changes nothing', async () => {
      const { poolId, clientId, hash } = await twoUsers(true);
      const first = await region.cognito.send(
        new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Temp-Passw0rd!', ...hash('alice') } }),
      );
      assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.equal(first.ChallengeParameters?.USER_ID_FOR_SRP, 'alice');
      const answer = (responses: Record<string, string>) =>
        region.cognito.send(
          new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session, ChallengeResponses: { NEW_PASSWORD: 'New-Passw0rd!', ...responses } }),
        );
      // A hash that is right for the USERNAME sent, but that USERNAME is not the challenge's user.
      await assert.rejects(answer({ USERNAME: 'bob', ...hash('bob') }), { name: 'NotAuthorizedException', message: `Unable to verify secret hash for client ${clientId}` });
      await assert.rejects(answer({ USERNAME: 'alice', ...hash('bob') }), { name: 'NotAuthorizedException', message: `Unable to verify secret hash for client ${clientId}` });
      await assert.rejects(answer({ USERNAME: 'bob', ...hash('alice') }), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
      await assert.rejects(answer({ USERNAME: 'nobody', ...hash('alice') }), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
      await assert.rejects(answer({ USERNAME: 'alice' }), { name: 'NotAuthorizedException' }, 'SECRET_HASH is still required');
      const status = async (username: string) => (await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserStatus;
      assert.equal(await status('alice'), 'FORCE_CHANGE_PASSWORD', 'no refused answer set a password');

      const answered = await answer({ USERNAME: 'alice', ...hash('alice') });
      const id = decodeJwt(answered.AuthenticationResult!.IdToken!);
      assert.equal(id['cognito:username'], 'alice');
      assert.equal(await status('alice'), 'CONFIRMED');
      assert.equal(await status('bob'), 'CONFIRMED');
    });

    test('NEW_PASSWORD_REQUIRED without a client secret: a USERNAME of another user is refused; the user\'s own name in another case is the same user', async () => {
      const { clientId } = await twoUsers(false);
      const start = () =>
        region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Temp-Passw0rd!' } }));
      const answer = (session: string | undefined, username: string) =>
        region.cognito.send(
          new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: session, ChallengeResponses: { USERNAME: username, NEW_PASSWORD: 'New-Passw0rd!' } }),
        );
      const first = await start();
      await assert.rejects(answer(first.Session, 'bob'), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
      const answered = await answer(first.Session, 'ALICE');
      assert.equal(decodeJwt(answered.AuthenticationResult!.AccessToken!).username, 'alice');
    });

    test('PASSWORD_VERIFIER: a valid SRP proof with another USERNAME, or a SECRET_HASH over another user, gets no tokens', async () => {
      for (const secret of [true, false]) {
        const { poolId, clientId, hash } = await twoUsers(secret);
        await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Alices-Passw0rd!', Permanent: true }));
        const attempt = async (responder: Record<string, string>) => {
          const srp = new SrpClient(poolId);
          const challenge = await region.cognito.send(
            new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', SRP_A: srp.srpA, ...hash('alice') } }),
          );
          assert.equal(challenge.ChallengeName, 'PASSWORD_VERIFIER');
          return region.cognito.send(
            new RespondToAuthChallengeCommand({
              ClientId: clientId,
              ChallengeName: 'PASSWORD_VERIFIER',
              ChallengeResponses: { ...srp.answer(challenge.ChallengeParameters!, 'Alices-Passw0rd!'), ...responder },
            }),
          );
        };
        const label = secret ? 'with a secret' : 'without a secret';
        await assert.rejects(attempt({ USERNAME: 'bob', ...hash('bob') }), { name: 'NotAuthorizedException' }, label);
        if (secret) {
          await assert.rejects(attempt({ USERNAME: 'alice', ...hash('bob') }), { name: 'NotAuthorizedException', message: `Unable to verify secret hash for client ${clientId}` });
          await assert.rejects(attempt({ USERNAME: 'bob', ...hash('alice') }), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
        }
        const signedIn = await attempt({ USERNAME: 'alice', ...hash('alice') });
        assert.equal(decodeJwt(signedIn.AuthenticationResult!.IdToken!)['cognito:username'], 'alice', label);
      }
    });
  });

  test('five failures lock the user out, even for the right password, for a doubling time', async () => {
    const clock = new TestClock();
    const frozen = await startTestRegion({}, { now: clock.now });
    after(() => frozen.stop());
    const saved = region;
    region = frozen;
    const { poolId, clientId } = await poolWithUser();
    region = saved;
    const cognito = frozen.cognito;
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    const signIn = (password: string) =>
      cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: password } }));
    for (let i = 0; i < 5; i += 1) await assert.rejects(signIn('Wrong-Passw0rd!'), { message: 'Incorrect username or password.' });
    await assert.rejects(signIn('Right-Passw0rd!'), { name: 'NotAuthorizedException', message: 'Password attempts exceeded' });
    clock.advance(1_001);
    await assert.rejects(signIn('Wrong-Passw0rd!'), { message: 'Incorrect username or password.' });
    clock.advance(1_001);
    await assert.rejects(signIn('Right-Passw0rd!'), { message: 'Password attempts exceeded' }, 'the sixth failure locks for two seconds');
    clock.advance(1_000);
    assert.ok((await signIn('Right-Passw0rd!')).AuthenticationResult?.AccessToken, 'after the lockout the right password works');
    await assert.rejects(signIn('Wrong-Passw0rd!'), { message: 'Incorrect username or password.' }, 'success reset the count');
    // Had the success not reset the count, this failure (the seventh) would have locked again.
    assert.ok((await signIn('Right-Passw0rd!')).AuthenticationResult?.AccessToken, 'one failure after a reset does not lock');
  });

  test('a sign-in in the same millisecond as a sign-out is not born revoked', async () => {
    const clock = new TestClock();
    const frozen = await startTestRegion({}, { now: clock.now });
    after(() => frozen.stop());
    const saved = region;
    region = frozen;
    const { poolId, clientId } = await poolWithUser();
    region = saved;
    const cognito = frozen.cognito;
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Right-Passw0rd!', Permanent: true }));
    const signIn = () => cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Right-Passw0rd!' } }));
    const before = (await signIn()).AuthenticationResult!;
    await cognito.send(new GlobalSignOutCommand({ AccessToken: before.AccessToken! }));
    const after_ = (await signIn()).AuthenticationResult!;
    assert.equal((await cognito.send(new GetUserCommand({ AccessToken: after_.AccessToken! }))).Username, 'alice');
    await assert.rejects(cognito.send(new GetUserCommand({ AccessToken: before.AccessToken! })), { name: 'NotAuthorizedException' });
    await cognito.send(new GlobalSignOutCommand({ AccessToken: after_.AccessToken! }));
    await assert.rejects(cognito.send(new GetUserCommand({ AccessToken: after_.AccessToken! })), { name: 'NotAuthorizedException' }, 'a second sign-out in the same millisecond still ends it');
  });
});
