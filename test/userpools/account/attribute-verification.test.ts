import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserAttributeVerificationCodeCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, type TestRegion } from '../../support/region.ts';
import { attributesOf, PASSWORD, signIn, type PoolWithUser } from './signed-in-user.ts';

/**
 * A signed-in user verifying a changed email with a code, as Cognito does: UpdateUserAttributes
 * sends one for an attribute the pool auto-verifies, GetUserAttributeVerificationCode sends one on
 * request, VerifyUserAttribute redeems it.
 */
describe('attribute verification codes', () => {
  let region: TestRegion;
  let serial = 0;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  async function userOfPool(autoVerified: Array<'email' | 'phone_number'>): Promise<PoolWithUser> {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'verify', AutoVerifiedAttributes: autoVerified }))).UserPool!.Id!;
    const clientId = (
      await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))
    ).UserPoolClient!.ClientId!;
    serial += 1;
    const username = `user${serial}`;
    await region.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }] }),
    );
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    return { poolId, clientId, username };
  }

  const attributes = async (setup: PoolWithUser) => attributesOf((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: setup.poolId, Username: setup.username }))).UserAttributes);
  const lastCode = async (setup: PoolWithUser, purpose: string) =>
    (await region.region.outbox.read({ poolId: setup.poolId, username: setup.username })).filter((message) => message.purpose === purpose).at(-1);

  test('a changed email that the pool auto-verifies gets a code; VerifyUserAttribute marks it verified', async () => {
    const setup = await userOfPool(['email']);
    const { AccessToken } = await signIn(region.cognito, setup);
    const answer = await region.cognito.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: 'moved@example.org' }] }));
    assert.deepEqual(answer.CodeDeliveryDetailsList, [{ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'm***@e***' }]);
    assert.equal((await attributes(setup)).email_verified, 'false');
    const sent = await lastCode(setup, 'verify-email');
    assert.equal(sent?.destination, 'moved@example.org');

    const wrong = sent!.code === '000000' ? '111111' : '000000';
    await assert.rejects(region.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: wrong })), { name: 'CodeMismatchException' });
    await region.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: sent!.code! }));
    assert.equal((await attributes(setup)).email_verified, 'true');
    await assert.rejects(region.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: sent!.code! })), { name: 'ExpiredCodeException' }, 'a code works once');
  });

  test('AdminUpdateUserAttributes sends a code too, unless the call marks the new address verified itself', async () => {
    const setup = await userOfPool(['email']);
    const { AccessToken } = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: setup.poolId, Username: setup.username, UserAttributes: [{ Name: 'email', Value: 'admin-set@example.org' }] }));
    const sent = await lastCode(setup, 'verify-email');
    assert.equal(sent?.destination, 'admin-set@example.org');
    await region.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: sent!.code! }));
    assert.equal((await attributes(setup)).email_verified, 'true');

    const before = (await region.region.outbox.read({ poolId: setup.poolId, username: setup.username })).length;
    await region.cognito.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: setup.poolId, Username: setup.username, UserAttributes: [{ Name: 'email', Value: 'trusted@example.org' }, { Name: 'email_verified', Value: 'true' }] }),
    );
    assert.equal((await region.region.outbox.read({ poolId: setup.poolId, username: setup.username })).length, before, 'marked verified: no code');
  });

  test('switching an address back and forth sends at most the hourly number of codes; the changes still apply', async () => {
    const setup = await userOfPool(['email']);
    const { AccessToken } = await signIn(region.cognito, setup);
    const lists = [];
    for (let round = 0; round < 7; round += 1) {
      const answer = await region.cognito.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: `switch${round % 2}@example.org` }] }));
      lists.push(answer.CodeDeliveryDetailsList?.length);
    }
    assert.deepEqual(lists, [1, 1, 1, 1, 1, 0, 0]);
    assert.equal((await attributes(setup)).email, 'switch0@example.org');
  });

  test('GetUserAttributeVerificationCode sends a code on request; a code for an address changed since verifies nothing', async () => {
    const setup = await userOfPool([]);
    const { AccessToken } = await signIn(region.cognito, setup);
    const quiet = await region.cognito.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: 'first@example.org' }] }));
    assert.deepEqual(quiet.CodeDeliveryDetailsList, [], 'the pool does not auto-verify email: no code');

    const requested = await region.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' }));
    assert.deepEqual(requested.CodeDeliveryDetails, { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'f***@e***' });
    const forFirst = await lastCode(setup, 'verify-email');
    await region.cognito.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: 'second@example.org' }] }));
    await assert.rejects(region.cognito.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: forFirst!.code! })), { name: 'ExpiredCodeException' });
    assert.equal((await attributes(setup)).email_verified, 'false');

    await assert.rejects(region.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'phone_number' })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'given_name' })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new VerifyUserAttributeCommand({ AccessToken: 'not-a-token', AttributeName: 'email', Code: '123456' })), { name: 'NotAuthorizedException' });
  });
});
