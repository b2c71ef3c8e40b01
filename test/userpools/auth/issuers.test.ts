import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { startTestRegion, type TestRegion } from '../../support/region.ts';

const GLOBAL = 'http://issuer.global.example';

describe('IssuerConfiguration: ORIGINAL region issuer, UPDATED global issuer', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion({ globalIssuerUrl: GLOBAL });
  });
  after(async () => {
    await region.stop();
  });

  async function signedIn(issuerType?: 'ORIGINAL' | 'UPDATED') {
    const poolId = (
      await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'issuer', ...(issuerType ? { IssuerConfiguration: { Type: issuerType } } : {}) }))
    ).UserPool!.Id!;
    const clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
      .UserPoolClient!.ClientId!;
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'iss', MessageAction: 'SUPPRESS' }));
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'iss', Password: 'Issuer-Passw0rd!', Permanent: true }));
    const signIn = async () =>
      (await region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'iss', PASSWORD: 'Issuer-Passw0rd!' } })))
        .AuthenticationResult!;
    return { poolId, signIn };
  }

  test('ORIGINAL (the default) issues with the region issuer', async () => {
    const { poolId, signIn } = await signedIn();
    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.IssuerConfiguration?.Type, 'ORIGINAL');
    const tokens = await signIn();
    assert.equal(decodeJwt(tokens.IdToken!).iss, `${region.url}/${poolId}`);
    const discovery = (await (await fetch(`${region.url}/${poolId}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, `${region.url}/${poolId}`);
  });

  test('UPDATED issues with the global issuer, which discovery advertises and GetUser accepts; a switch keeps old tokens valid', async () => {
    const { poolId, signIn } = await signedIn('ORIGINAL');
    const before = await signIn();
    await region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, IssuerConfiguration: { Type: 'UPDATED' } }));
    const after_ = await signIn();
    assert.equal(decodeJwt(after_.IdToken!).iss, `${GLOBAL}/${poolId}`);
    assert.equal(decodeJwt(after_.AccessToken!).iss, `${GLOBAL}/${poolId}`);
    const discovery = (await (await fetch(`${region.url}/${poolId}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    assert.equal(discovery.issuer, `${GLOBAL}/${poolId}`);
    assert.equal(discovery.jwks_uri, `${GLOBAL}/${poolId}/.well-known/jwks.json`);
    assert.equal((await region.cognito.send(new GetUserCommand({ AccessToken: after_.AccessToken! }))).Username, 'iss');
    assert.equal((await region.cognito.send(new GetUserCommand({ AccessToken: before.AccessToken! }))).Username, 'iss');
  });
});
