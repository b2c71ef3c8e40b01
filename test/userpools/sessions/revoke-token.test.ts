import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateUserPoolClientCommand, GetUserCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, TestClock, type TestRegion } from '../../support/region.ts';
import { poolWithUser, refresh, signIn } from '../account/signed-in-user.ts';

describe('RevokeToken', () => {
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
  const revoke = (input: { Token: string; ClientId: string; ClientSecret?: string }) => region.cognito.send(new RevokeTokenCommand(input));

  test('revokes the refresh token and every access token from it; another session of the user keeps working', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const revoked = await signIn(region.cognito, setup);
    const refreshedFromRevoked = await refresh(region.cognito, setup, revoked.RefreshToken);
    const kept = await signIn(region.cognito, setup);

    const answer = await revoke({ Token: revoked.RefreshToken, ClientId: setup.clientId });
    assert.deepEqual(Object.keys(answer).filter((key) => key !== '$metadata'), []);

    await assert.rejects(refresh(region.cognito, setup, revoked.RefreshToken), revokedRefresh);
    await assert.rejects(getUser(revoked.AccessToken), revokedAccess);
    await assert.rejects(getUser(refreshedFromRevoked), revokedAccess);

    assert.equal((await getUser(kept.AccessToken)).Username, 'alice');
    assert.equal((await getUser(await refresh(region.cognito, setup, kept.RefreshToken))).Username, 'alice');

    await revoke({ Token: revoked.RefreshToken, ClientId: setup.clientId });
  });

  test('only refresh tokens of the client\'s pool: UnsupportedTokenTypeException', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    const unsupported = { name: 'UnsupportedTokenTypeException' };
    await assert.rejects(revoke({ Token: tokens.AccessToken, ClientId: setup.clientId }), unsupported);
    await assert.rejects(revoke({ Token: tokens.IdToken, ClientId: setup.clientId }), unsupported);
    await assert.rejects(revoke({ Token: `${tokens.RefreshToken.slice(0, -4)}AAAA`, ClientId: setup.clientId }), unsupported);
    const otherPool = await poolWithUser(region.cognito, { clock });
    await assert.rejects(revoke({ Token: (await signIn(region.cognito, otherPool)).RefreshToken, ClientId: setup.clientId }), unsupported);
    assert.ok(await refresh(region.cognito, setup, tokens.RefreshToken), 'nothing was revoked');
  });

  test('client checks: unknown client, a refresh token of another client, missing or wrong secret: UnauthorizedException', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    const tokens = await signIn(region.cognito, setup);
    const unauthorized = { name: 'UnauthorizedException' };
    await assert.rejects(revoke({ Token: tokens.RefreshToken, ClientId: 'unknownclient0000000000000' }), unauthorized);
    const sibling = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: setup.poolId, ClientName: 'sibling' }))).UserPoolClient!;
    await assert.rejects(revoke({ Token: tokens.RefreshToken, ClientId: sibling.ClientId! }), unauthorized);
    assert.ok(await refresh(region.cognito, setup, tokens.RefreshToken), 'nothing was revoked');

    const confidential = await poolWithUser(region.cognito, { clock, client: { GenerateSecret: true } });
    const secretTokens = await signIn(region.cognito, confidential);
    await assert.rejects(revoke({ Token: secretTokens.RefreshToken, ClientId: confidential.clientId }), unauthorized);
    await assert.rejects(revoke({ Token: secretTokens.RefreshToken, ClientId: confidential.clientId, ClientSecret: 'wrongsecret0000000000000000000' }), unauthorized);
    // Secrets of every length are compared whole (secretsEqual): a prefix, the secret with more
    // after it, and one of the same length that differs only at the end are all refused.
    const secret = confidential.secret!;
    for (const wrong of [secret.slice(0, -1), `${secret}a`, `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`, 'a']) {
      await assert.rejects(revoke({ Token: secretTokens.RefreshToken, ClientId: confidential.clientId, ClientSecret: wrong }), unauthorized, `${wrong.length} characters`);
    }
    assert.ok(await refresh(region.cognito, confidential, secretTokens.RefreshToken), 'nothing was revoked');
    await revoke({ Token: secretTokens.RefreshToken, ClientId: confidential.clientId, ClientSecret: confidential.secret });
    await assert.rejects(refresh(region.cognito, confidential, secretTokens.RefreshToken), revokedRefresh);
  });

  test('a client with EnableTokenRevocation=false: UnsupportedOperationException', async () => {
    const setup = await poolWithUser(region.cognito, { clock, client: { EnableTokenRevocation: false } });
    const tokens = await signIn(region.cognito, setup);
    await assert.rejects(revoke({ Token: tokens.RefreshToken, ClientId: setup.clientId }), { name: 'UnsupportedOperationException' });
    assert.ok(await refresh(region.cognito, setup, tokens.RefreshToken));
  });

  test('input that fails the API\'s constraints: InvalidParameterException', async () => {
    const setup = await poolWithUser(region.cognito, { clock });
    await assert.rejects(revoke({ Token: 'has spaces', ClientId: setup.clientId }), { name: 'InvalidParameterException' });
    await assert.rejects(revoke({ Token: '', ClientId: setup.clientId }), { name: 'InvalidParameterException' });
  });
});
