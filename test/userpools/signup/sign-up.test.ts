import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';

const PASSWORD = 'Sign-Up-Passw0rd!';
const HOUR = 60 * 60 * 1000;

describe('SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp over the Cognito API', () => {
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

  async function poolWithClient(pool: Partial<CreateUserPoolCommandInput> = {}, client: Partial<CreateUserPoolClientCommandInput> = {}) {
    const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'sign-up', AutoVerifiedAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false }, ...pool }))).UserPool!.Id!;
    const created = (
      await cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...client }),
      )
    ).UserPoolClient!;
    return { poolId, clientId: created.ClientId!, secret: created.ClientSecret };
  }

  /** The code of the newest message kept for the user (read through the outbox API). */
  async function latestCode(poolId: string, username: string): Promise<string> {
    const messages = await region.region.outbox.read({ poolId, username });
    const code = messages.at(-1)?.code;
    assert.ok(code, `a code was sent to ${username}`);
    return code;
  }

  const signUp = (clientId: string, username: string, extra: Partial<ConstructorParameters<typeof SignUpCommand>[0]> = {}) =>
    cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }], ...extra }),
    );
  const confirm = (clientId: string, username: string, code: string, extra: Partial<ConstructorParameters<typeof ConfirmSignUpCommand>[0]> = {}) =>
    cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: code, ...extra }));
  const signIn = (clientId: string, username: string, password = PASSWORD) =>
    cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));
  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  test('sign up, receive a masked code by email, confirm, then sign in', async () => {
    const { poolId, clientId } = await poolWithClient();
    const result = await signUp(clientId, 'alice');
    assert.equal(result.UserConfirmed, false);
    assert.match(result.UserSub!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(result.CodeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });

    const [message] = region.region.outbox.list({ poolId, username: 'alice' });
    assert.equal(message?.purpose, 'sign-up');
    assert.equal(message?.destination, 'alice@example.com');
    assert.equal(message?.subject, 'Your verification code');
    assert.equal(message?.body, `Your verification code is ${message?.code}. `);
    assert.match(message!.code!, /^\d{6}$/);

    let user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    assert.equal(user.UserStatus, 'UNCONFIRMED');
    await assert.rejects(signIn(clientId, 'alice'), { name: 'UserNotConfirmedException' });

    await confirm(clientId, 'alice', await latestCode(poolId, 'alice'));
    user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(user.UserAttributes?.find((attribute) => attribute.Name === 'email_verified')?.Value, 'true');
    assert.ok((await signIn(clientId, 'alice')).AuthenticationResult?.AccessToken);
    await assert.rejects(confirm(clientId, 'alice', '123456'), { name: 'NotAuthorizedException', message: 'User cannot be confirmed. Current status is CONFIRMED' });
  });

  test('the pool template is used, and SMS wins when both attributes are auto-verified', async () => {
    const { poolId, clientId } = await poolWithClient({
      AutoVerifiedAttributes: ['email', 'phone_number'],
      VerificationMessageTemplate: { SmsMessage: 'Code: {####}', EmailMessage: 'Mail code {####}', EmailSubject: 'Welcome' },
    });
    const result = await signUp(clientId, 'bob', { UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }, { Name: 'phone_number', Value: '+12065550100' }] });
    assert.deepEqual(result.CodeDeliveryDetails, { Destination: '+*******0100', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    const [message] = region.region.outbox.list({ poolId, username: 'bob' });
    assert.equal(message?.channel, 'SMS');
    assert.equal(message?.body, `Code: ${message?.code}`);
    await confirm(clientId, 'bob', message!.code!);
    const attributes = (await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' }))).UserAttributes ?? [];
    assert.equal(attributes.find((attribute) => attribute.Name === 'phone_number_verified')?.Value, 'true');
    assert.equal(attributes.find((attribute) => attribute.Name === 'email_verified'), undefined);

    const emailOnly = await signUp(clientId, 'carol');
    assert.equal(emailOnly.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    const [mail] = region.region.outbox.list({ poolId, username: 'carol' });
    assert.equal(mail?.subject, 'Welcome');
    assert.equal(mail?.body, `Mail code ${mail?.code}`);
  });

  test('wrong, expired and replaced codes; too many wrong attempts spend the code', async () => {
    const { poolId, clientId } = await poolWithClient();
    await signUp(clientId, 'dave');
    const first = await latestCode(poolId, 'dave');
    await assert.rejects(confirm(clientId, 'dave', wrongCode(first)), { name: 'CodeMismatchException', message: 'Invalid verification code provided, please try again.' });

    const resent = await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'dave' }));
    assert.deepEqual(resent.CodeDeliveryDetails, { Destination: 'd***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const second = await latestCode(poolId, 'dave');
    if (second !== first) {
      await assert.rejects(confirm(clientId, 'dave', first), { name: 'CodeMismatchException' }, 'a replaced code no longer works');
    }
    clock.advance(24 * HOUR + 1);
    await assert.rejects(confirm(clientId, 'dave', second), { name: 'ExpiredCodeException', message: 'Invalid code provided, please request a code again.' });

    await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'dave' }));
    const third = await latestCode(poolId, 'dave');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await assert.rejects(confirm(clientId, 'dave', wrongCode(third)), { name: 'CodeMismatchException' }, `attempt ${attempt}`);
    }
    await assert.rejects(confirm(clientId, 'dave', third), { name: 'LimitExceededException', message: 'Attempt limit exceeded, please try after some time.' });

    await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'dave' }));
    await confirm(clientId, 'dave', await latestCode(poolId, 'dave'));
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'dave' }))).UserStatus, 'CONFIRMED');
    await assert.rejects(cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'dave' })), {
      name: 'InvalidParameterException',
      message: 'User is already confirmed.',
    });
  });

  test('codes per hour are limited, so fresh codes bring no fresh guesses', async () => {
    const { poolId, clientId } = await poolWithClient();
    await signUp(clientId, 'erin');
    for (let resend = 1; resend <= 4; resend += 1) await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'erin' }));
    await assert.rejects(cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'erin' })), { name: 'LimitExceededException' });
    clock.advance(HOUR);
    await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'erin' }));
    await confirm(clientId, 'erin', await latestCode(poolId, 'erin'));
  });

  test('errors: taken username, password policy, schema, client attributes, admin-only pools, missing password', async () => {
    const { clientId } = await poolWithClient({ Schema: [{ Name: 'email', Required: true }] });
    await signUp(clientId, 'frank');
    await assert.rejects(signUp(clientId, 'FRANK'), { name: 'UsernameExistsException', message: 'User already exists' });
    await assert.rejects(signUp(clientId, 'gina', { Password: 'short' }), { name: 'InvalidPasswordException', message: 'Password did not conform with policy: Password not long enough' });
    await assert.rejects(signUp(clientId, 'gina', { UserAttributes: [] }), { name: 'InvalidParameterException' });
    await assert.rejects(signUp(clientId, 'gina', { UserAttributes: [{ Name: 'email', Value: 'not-an-email' }] }), { name: 'InvalidParameterException' });
    await assert.rejects(signUp(clientId, 'gina', { UserAttributes: [{ Name: 'email', Value: 'g@example.com' }, { Name: 'custom:nope', Value: 'x' }] }), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(signUp(clientId, 'gina', { UserAttributes: [{ Name: 'email', Value: 'g@example.com' }, { Name: 'email_verified', Value: 'true' }] }), {
      name: 'NotAuthorizedException',
      message: 'A client attempted to write unauthorized attribute',
    });
    await assert.rejects(signUp(clientId, 'gina', { Password: undefined }), { name: 'InvalidParameterException' });
    await assert.rejects(signUp('unknownclient0000000000000', 'gina'), { name: 'ResourceNotFoundException' });

    const restricted = await poolWithClient({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    await assert.rejects(signUp(restricted.clientId, 'hank'), { name: 'NotAuthorizedException', message: 'SignUp is not permitted for this user pool' });

    const limited = await poolWithClient({}, { WriteAttributes: ['email'] });
    await assert.rejects(signUp(limited.clientId, 'ivy', { UserAttributes: [{ Name: 'email', Value: 'ivy@example.com' }, { Name: 'name', Value: 'Ivy' }] }), {
      name: 'NotAuthorizedException',
    });
  });

  test('SECRET_HASH is required and checked by every public action of a client with a secret', async () => {
    const { poolId, clientId, secret } = await poolWithClient({}, { GenerateSecret: true });
    const hash = (username: string) => createHmac('sha256', secret!).update(username + clientId).digest('base64');
    await assert.rejects(signUp(clientId, 'jack'), { name: 'NotAuthorizedException', message: `Client ${clientId} is configured with secret but SECRET_HASH was not received` });
    await assert.rejects(signUp(clientId, 'jack', { SecretHash: hash('someone-else') }), { name: 'NotAuthorizedException', message: `Unable to verify secret hash for client ${clientId}` });
    await signUp(clientId, 'jack', { SecretHash: hash('jack') });
    await assert.rejects(cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'jack' })), { name: 'NotAuthorizedException' });
    await cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'jack', SecretHash: hash('jack') }));
    const code = await latestCode(poolId, 'jack');
    await assert.rejects(confirm(clientId, 'jack', code), { name: 'NotAuthorizedException' });
    await confirm(clientId, 'jack', code, { SecretHash: hash('jack') });
  });

  test('unknown users: UserNotFoundException (LEGACY) or a simulated answer (ENABLED)', async () => {
    const legacy = await poolWithClient();
    await assert.rejects(confirm(legacy.clientId, 'nobody', '123456'), { name: 'UserNotFoundException', message: 'Username/client id combination not found.' });
    await assert.rejects(cognito.send(new ResendConfirmationCodeCommand({ ClientId: legacy.clientId, Username: 'nobody' })), { name: 'UserNotFoundException' });

    const enabled = await poolWithClient({}, { PreventUserExistenceErrors: 'ENABLED' });
    await assert.rejects(confirm(enabled.clientId, 'nobody', '123456'), { name: 'ExpiredCodeException' });
    const simulated = await cognito.send(new ResendConfirmationCodeCommand({ ClientId: enabled.clientId, Username: 'nobody' }));
    assert.equal(simulated.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    assert.equal(simulated.CodeDeliveryDetails?.AttributeName, 'email');
    assert.match(simulated.CodeDeliveryDetails!.Destination!, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
    const again = await cognito.send(new ResendConfirmationCodeCommand({ ClientId: enabled.clientId, Username: 'nobody' }));
    assert.deepEqual(again.CodeDeliveryDetails, simulated.CodeDeliveryDetails, 'the same answer each time, as for a real user');
    assert.equal((await region.region.outbox.read({ poolId: enabled.poolId })).length, 0, 'nothing is sent');
  });

  test('pools signing in by email: UUID username, code to the email, confirm and sign in by email', async () => {
    const { poolId, clientId } = await poolWithClient({ UsernameAttributes: ['email'] });
    const result = await signUp(clientId, 'Kate@Example.com', { UserAttributes: [] });
    assert.equal(result.CodeDeliveryDetails?.Destination, 'K***@E***');
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'kate@example.com' }));
    assert.match(user.Username!, /^[0-9a-f-]{36}$/);
    assert.equal(user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value, result.UserSub);
    await assert.rejects(signUp(clientId, 'kate@example.com', { UserAttributes: [] }), { name: 'UsernameExistsException' });
    await assert.rejects(signUp(clientId, 'plainname', { UserAttributes: [] }), { name: 'InvalidParameterException' });
    await confirm(clientId, 'kate@example.com', await latestCode(poolId, user.Username!));
    assert.ok((await signIn(clientId, 'KATE@example.com')).AuthenticationResult?.IdToken);
  });

  test('ConfirmSignUp with a verified alias held by another user needs ForceAliasCreation', async () => {
    const { poolId, clientId } = await poolWithClient({ AliasAttributes: ['email'] });
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'holder',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'shared@example.com' }, { Name: 'email_verified', Value: 'true' }],
      }),
    );
    await signUp(clientId, 'newcomer', { UserAttributes: [{ Name: 'email', Value: 'shared@example.com' }] });
    const code = await latestCode(poolId, 'newcomer');
    await assert.rejects(confirm(clientId, 'newcomer', code), { name: 'AliasExistsException' });
    await confirm(clientId, 'newcomer', code, { ForceAliasCreation: true });
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'shared@example.com' }))).Username, 'newcomer');
  });

  test('without auto-verified attributes no code is sent; AdminConfirmSignUp confirms', async () => {
    const { poolId, clientId } = await poolWithClient({ AutoVerifiedAttributes: [] });
    const result = await signUp(clientId, 'leo');
    assert.equal(result.UserConfirmed, false);
    assert.equal(result.CodeDeliveryDetails, undefined);
    assert.equal((await region.region.outbox.read({ poolId })).length, 0);
    await assert.rejects(cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'leo' })), {
      name: 'InvalidParameterException',
      message: 'Cannot resend codes. Auto verification not turned on.',
    });
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'leo' }));
    assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'leo' }))).UserStatus, 'CONFIRMED');
    assert.ok((await signIn(clientId, 'leo')).AuthenticationResult?.AccessToken);
    await assert.rejects(cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'leo' })), {
      name: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
    await assert.rejects(cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'nobody' })), { name: 'UserNotFoundException' });
    const unsigned = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope-nope-nope-nope-nope' });
    await assert.rejects(unsigned.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'leo' })), { name: 'UnrecognizedClientException' });
  });
});
