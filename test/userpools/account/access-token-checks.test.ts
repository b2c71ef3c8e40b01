import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminResetUserPasswordCommand,
  ChangePasswordCommand,
  DeleteUserCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';
import { PASSWORD, poolWithUser, signIn } from './signed-in-user.ts';

/**
 * Every token-authorized action starts with authenticateAccessToken; these are the tokens it must
 * refuse, each with Cognito's NotAuthorizedException message.
 */
describe('access tokens that token-authorized actions refuse', () => {
  const clock = new TestClock();
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
  });
  after(async () => {
    await region.stop();
  });

  const invalid = { name: 'NotAuthorizedException', message: 'Invalid Access Token' };
  const getUser = (accessToken: string) => region.cognito.send(new GetUserCommand({ AccessToken: accessToken }));

  /** Every token-authorized action, so a refusal is checked for all of them, not only GetUser. */
  const everyAction = (accessToken: string): Array<() => Promise<unknown>> => [
    () => getUser(accessToken),
    () => region.cognito.send(new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: [{ Name: 'given_name', Value: 'x' }] })),
    () => region.cognito.send(new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: PASSWORD, ProposedPassword: 'Brand-New-Passw0rd!' })),
    () => region.cognito.send(new GlobalSignOutCommand({ AccessToken: accessToken })),
    () => region.cognito.send(new DeleteUserCommand({ AccessToken: accessToken })),
  ];
  async function refusedEverywhere(accessToken: string, expected: { name: string; message: string }): Promise<void> {
    for (const call of everyAction(accessToken)) await assert.rejects(call(), expected);
  }

  const freshRsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  test('forged tokens: a foreign key under the pool kid, alg none, HS256 with the public key, a tampered payload', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    const claims = decodeJwt(AccessToken);
    const { kid } = decodeProtectedHeader(AccessToken);

    const foreignKey = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(freshRsaKey());
    await refusedEverywhere(foreignKey, invalid);

    const unsigned = new UnsecuredJWT(claims).encode();
    await refusedEverywhere(unsigned, invalid);
    const unsignedWithKid = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${unsigned.split('.')[1]}.`;
    await refusedEverywhere(unsignedWithKid, invalid);

    const jwks = (await (await fetch(`${region.url}/${setup.poolId}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; n: string }> };
    const publicModulus = new TextEncoder().encode(jwks.keys.find((key) => key.kid === kid)!.n);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(publicModulus);
    await refusedEverywhere(hmac, invalid);

    const [header, , signature] = AccessToken.split('.');
    const tamper = (change: Record<string, unknown>) => `${header}.${Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url')}.${signature}`;
    const other = await poolWithUser(region.cognito, { clock, username: 'bob' });
    await refusedEverywhere(tamper({ exp: (claims.exp as number) + 86_400 }), invalid);
    await refusedEverywhere(tamper({ sub: decodeJwt((await signIn(region.cognito, other)).AccessToken).sub }), invalid);
    await refusedEverywhere(`${AccessToken.slice(0, -4)}AAAA`, invalid);
    await refusedEverywhere('not-a-token', invalid);

    assert.equal((await getUser(AccessToken)).Username, 'alice', 'the genuine token still works');
  });

  test("another pool's token: its kid is not this pool's, and its signature does not cover a changed issuer", async () => {
    const mine = await poolWithUser(region.cognito, { clock });
    const theirs = await poolWithUser(region.cognito, { clock });
    const myToken = (await signIn(region.cognito, mine)).AccessToken;
    const theirToken = (await signIn(region.cognito, theirs)).AccessToken;
    const myClaims = decodeJwt(myToken);

    // Signed with a key published under the other pool's kid, claiming this pool as issuer.
    const { kid: theirKid } = decodeProtectedHeader(theirToken);
    await refusedEverywhere(await new SignJWT(myClaims).setProtectedHeader({ alg: 'RS256', kid: theirKid }).sign(freshRsaKey()), invalid);
    // The other pool's genuine token, re-addressed to this pool.
    const [header, payload, signature] = theirToken.split('.');
    const readdressed = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), iss: myClaims.iss };
    await refusedEverywhere(`${header}.${Buffer.from(JSON.stringify(readdressed)).toString('base64url')}.${signature}`, invalid);
    // An issuer naming a pool that does not exist.
    const nowhere = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), iss: `${region.url}/us-east-1_nowhere00` };
    await refusedEverywhere(`${header}.${Buffer.from(JSON.stringify(nowhere)).toString('base64url')}.${signature}`, invalid);
  });

  test('an ID token is not an access token', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { IdToken } = await signIn(region.cognito, setup);
    await refusedEverywhere(IdToken, invalid);
  });

  test('an expired access token: "Access Token has expired"', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    clock.advance(3_599_000);
    assert.equal((await getUser(AccessToken)).Username, 'alice', 'valid until its hour is over');
    clock.advance(1_001);
    await refusedEverywhere(AccessToken, { name: 'NotAuthorizedException', message: 'Access Token has expired' });
  });

  test('a deleted user\'s token: "User does not exist."', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminDeleteUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await refusedEverywhere(AccessToken, { name: 'NotAuthorizedException', message: 'User does not exist.' });
  });

  test('a disabled user\'s token: "User is disabled.", and revoked after the user is enabled again', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await refusedEverywhere(AccessToken, { name: 'NotAuthorizedException', message: 'User is disabled.' });
    await region.cognito.send(new AdminEnableUserCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await refusedEverywhere(AccessToken, { name: 'NotAuthorizedException', message: 'Access Token has been revoked' });
  });

  test('a token of a user whose password an administrator reset: PasswordResetRequiredException', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const { AccessToken } = await signIn(region.cognito, setup);
    await region.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: setup.poolId, Username: 'alice' }));
    await refusedEverywhere(AccessToken, { name: 'PasswordResetRequiredException', message: 'Password reset required for the user' });
  });
});
