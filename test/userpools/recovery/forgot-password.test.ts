import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';

const OLD_PASSWORD = 'Old-Passw0rd!';
const NEW_PASSWORD = 'New-Passw0rd!';
const HOUR = 60 * 60 * 1000;

describe('ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword over the Cognito API', () => {
  const clock = new TestClock();
  let region: TestRegion;
  let cognito: CognitoIdentityProviderClient;
  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
    cognito = region.cognito;
  });
  after(async () => {
    await region.stop();
  });

  /** A pool, a client allowing password sign-in and refresh, and a CONFIRMED user. */
  async function poolWithUser(
    options: { pool?: Partial<CreateUserPoolCommandInput>; client?: Partial<CreateUserPoolClientCommandInput>; attributes?: Array<{ Name: string; Value: string }> } = {},
  ) {
    const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'recovery', ...options.pool }))).UserPool!.Id!;
    const client = (
      await cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...options.client }),
      )
    ).UserPoolClient!;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'alice',
        MessageAction: 'SUPPRESS',
        UserAttributes: options.attributes ?? [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'email_verified', Value: 'true' }],
      }),
    );
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: OLD_PASSWORD, Permanent: true }));
    // Setting a password may end earlier sessions at this instant; sessions begin after it.
    clock.advance(1);
    return { poolId, clientId: client.ClientId!, secret: client.ClientSecret };
  }

  async function latestCode(poolId: string, username = 'alice'): Promise<string> {
    const messages = await region.region.outbox.read({ poolId, username });
    const last = messages.at(-1);
    assert.equal(last?.purpose, 'forgot-password');
    return last!.code!;
  }

  const forgot = (clientId: string, username = 'alice', secretHash?: string) =>
    cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username, ...(secretHash ? { SecretHash: secretHash } : {}) }));
  const confirm = (clientId: string, code: string, password = NEW_PASSWORD, username = 'alice', secretHash?: string) =>
    cognito.send(
      new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: username, ConfirmationCode: code, Password: password, ...(secretHash ? { SecretHash: secretHash } : {}) }),
    );
  const signIn = (clientId: string, password: string, username = 'alice') =>
    cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
  const refresh = (clientId: string, refreshToken: string) =>
    cognito.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: refreshToken } }));
  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  test('reset by email code: new password works, old one does not, earlier sessions end', async () => {
    const { poolId, clientId } = await poolWithUser();
    const before = (await signIn(clientId, OLD_PASSWORD)).AuthenticationResult!;
    assert.ok((await refresh(clientId, before.RefreshToken!)).AuthenticationResult?.AccessToken, 'the session is alive before the reset');

    const result = await forgot(clientId);
    assert.deepEqual(result.CodeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const [message] = region.region.outbox.list({ poolId, username: 'alice' });
    assert.equal(message?.destination, 'alice@example.com');
    assert.equal(message?.body, `Your verification code is ${message?.code}. `, 'password reset uses the verification template');

    clock.advance(1);
    await confirm(clientId, await latestCode(poolId));
    await assert.rejects(refresh(clientId, before.RefreshToken!), { name: 'NotAuthorizedException' });
    await assert.rejects(signIn(clientId, OLD_PASSWORD), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    clock.advance(1);
    const after = (await signIn(clientId, NEW_PASSWORD)).AuthenticationResult!;
    assert.ok(after.AccessToken);
    assert.ok((await refresh(clientId, after.RefreshToken!)).AuthenticationResult?.AccessToken, 'sessions begun after the reset live');
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus, 'CONFIRMED');
  });

  test('codes: wrong, reused, expired after an hour, spent after five wrong attempts; policy first', async () => {
    const { poolId, clientId } = await poolWithUser();
    await forgot(clientId);
    const code = await latestCode(poolId);
    await assert.rejects(confirm(clientId, code, 'weak'), { name: 'InvalidPasswordException' });
    await assert.rejects(confirm(clientId, wrongCode(code)), { name: 'CodeMismatchException', message: 'Invalid verification code provided, please try again.' });
    await confirm(clientId, code);
    await assert.rejects(confirm(clientId, code, 'Another-Passw0rd!'), { name: 'ExpiredCodeException', message: 'Invalid code provided, please request a code again.' });

    await forgot(clientId);
    const late = await latestCode(poolId);
    clock.advance(HOUR + 1);
    await assert.rejects(confirm(clientId, late), { name: 'ExpiredCodeException' });

    await forgot(clientId);
    const guessed = await latestCode(poolId);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await assert.rejects(confirm(clientId, wrongCode(guessed)), { name: 'CodeMismatchException' }, `attempt ${attempt}`);
    }
    await assert.rejects(confirm(clientId, guessed), { name: 'LimitExceededException', message: 'Attempt limit exceeded, please try after some time.' });
    clock.advance(1);
    assert.ok((await signIn(clientId, NEW_PASSWORD)).AuthenticationResult, 'the password set by the used code stands');
  });

  test('a newer ForgotPassword code replaces the older one; too many requests are refused', async () => {
    const { poolId, clientId } = await poolWithUser();
    await forgot(clientId);
    const first = await latestCode(poolId);
    await forgot(clientId);
    const second = await latestCode(poolId);
    if (first !== second) await assert.rejects(confirm(clientId, first), { name: 'CodeMismatchException' });
    for (let request = 3; request <= 5; request += 1) await forgot(clientId);
    await assert.rejects(forgot(clientId), { name: 'LimitExceededException' });
  });

  test('no verified address: InvalidParameterException (LEGACY) or a simulated answer (ENABLED)', async () => {
    const unverified = [{ Name: 'email', Value: 'alice@example.com' }];
    const legacy = await poolWithUser({ attributes: unverified });
    await assert.rejects(forgot(legacy.clientId), {
      name: 'InvalidParameterException',
      message: 'Cannot reset password for the user as there is no registered/verified email or phone_number',
    });
    await assert.rejects(cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: legacy.poolId, Username: 'alice' })), { name: 'InvalidParameterException' });

    const enabled = await poolWithUser({ attributes: unverified, client: { PreventUserExistenceErrors: 'ENABLED' } });
    const simulated = await forgot(enabled.clientId);
    assert.equal(simulated.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    assert.equal((await region.region.outbox.read({ poolId: enabled.poolId })).length, 0);
  });

  test('unknown and disabled users in both PreventUserExistenceErrors modes', async () => {
    const legacy = await poolWithUser();
    await assert.rejects(forgot(legacy.clientId, 'nobody'), { name: 'UserNotFoundException', message: 'Username/client id combination not found.' });
    await assert.rejects(confirm(legacy.clientId, '123456', NEW_PASSWORD, 'nobody'), { name: 'UserNotFoundException' });

    const enabled = await poolWithUser({ client: { PreventUserExistenceErrors: 'ENABLED' } });
    const byName = await forgot(enabled.clientId, 'nobody');
    assert.equal(byName.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    assert.match(byName.CodeDeliveryDetails!.Destination!, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
    assert.deepEqual((await forgot(enabled.clientId, 'nobody')).CodeDeliveryDetails, byName.CodeDeliveryDetails);
    const byEmail = await forgot(enabled.clientId, 'ghost@example.org');
    assert.deepEqual(byEmail.CodeDeliveryDetails, { Destination: 'g***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    await assert.rejects(confirm(enabled.clientId, '123456', NEW_PASSWORD, 'nobody'), { name: 'CodeMismatchException' });
    assert.equal((await region.region.outbox.read({ poolId: enabled.poolId })).length, 0, 'nothing was sent');

    await cognito.send(new AdminDisableUserCommand({ UserPoolId: legacy.poolId, Username: 'alice' }));
    await assert.rejects(forgot(legacy.clientId), { name: 'NotAuthorizedException', message: 'User is disabled.' });
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: enabled.poolId, Username: 'alice' }));
    assert.ok((await forgot(enabled.clientId)).CodeDeliveryDetails);
    await assert.rejects(confirm(enabled.clientId, '123456'), { name: 'CodeMismatchException' });
  });

  test('recovery order: AccountRecoverySetting, the legacy phone-first order, admin_only', async () => {
    const both = [
      { Name: 'email', Value: 'alice@example.com' },
      { Name: 'email_verified', Value: 'true' },
      { Name: 'phone_number', Value: '+12065550123' },
      { Name: 'phone_number_verified', Value: 'true' },
    ];
    const legacyOrder = await poolWithUser({ attributes: both });
    assert.deepEqual((await forgot(legacyOrder.clientId)).CodeDeliveryDetails, { Destination: '+*******0123', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });

    const emailFirst = await poolWithUser({
      attributes: both,
      pool: { AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 2 }, { Name: 'verified_email', Priority: 1 }] } },
    });
    assert.equal((await forgot(emailFirst.clientId)).CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');

    const adminOnly = await poolWithUser({ pool: { AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] } } });
    await assert.rejects(forgot(adminOnly.clientId), { name: 'NotAuthorizedException', message: 'Contact administrator to reset password.' });
  });

  test('SECRET_HASH is required and checked', async () => {
    const { poolId, clientId, secret } = await poolWithUser({ client: { GenerateSecret: true } });
    const hash = createHmac('sha256', secret!).update('alice' + clientId).digest('base64');
    await assert.rejects(forgot(clientId), { name: 'NotAuthorizedException' });
    await assert.rejects(forgot(clientId, 'alice', 'AAAA'), { name: 'NotAuthorizedException', message: `Unable to verify secret hash for client ${clientId}` });
    await forgot(clientId, 'alice', hash);
    const code = await latestCode(poolId);
    await assert.rejects(confirm(clientId, code), { name: 'NotAuthorizedException' });
    await confirm(clientId, code, NEW_PASSWORD, 'alice', hash);
  });

  test('AdminResetUserPassword: RESET_REQUIRED, old password refused with PasswordResetRequiredException, code completes it', async () => {
    const { poolId, clientId } = await poolWithUser();
    await cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice' }));
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus, 'RESET_REQUIRED');
    await assert.rejects(signIn(clientId, OLD_PASSWORD), { name: 'PasswordResetRequiredException' });
    await assert.rejects(signIn(clientId, 'Wrong-Passw0rd!'), { name: 'NotAuthorizedException' });

    await confirm(clientId, await latestCode(poolId));
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus, 'CONFIRMED');
    clock.advance(1);
    assert.ok((await signIn(clientId, NEW_PASSWORD)).AuthenticationResult?.AccessToken);

    await assert.rejects(cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'nobody' })), { name: 'UserNotFoundException' });
    const stranger = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope-nope-nope-nope-nope' });
    await assert.rejects(stranger.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice' })), { name: 'UnrecognizedClientException' });
  });

  test('a user that must change its temporary password cannot use ForgotPassword', async () => {
    const { poolId, clientId } = await poolWithUser();
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Temp-Passw0rd!', Permanent: false }));
    await assert.rejects(forgot(clientId), { name: 'NotAuthorizedException', message: 'User password cannot be reset in the current state.' });
  });
});
