import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { claimValue } from '../../../src/auth/tokens/attribute-claims.ts';
import { generateSigningKeys, loadSigningKeys } from '../../../src/auth/tokens/signing-keys.ts';
import { issueTokens } from '../../../src/auth/tokens/token-issuer.ts';
import { userInfoClaims } from '../../../src/oauth/userinfo/userinfo-claims.ts';
import type { AppClientRecord } from '../../../src/userpools/clients/app-client.ts';
import type { UserRecord } from '../../../src/userpools/users/user-record.ts';

describe('attribute claims', () => {
  test('claimValue: verification flags are booleans, a numeric updated_at a number, the rest strings', () => {
    assert.equal(claimValue('email_verified', 'true'), true);
    assert.equal(claimValue('email_verified', 'false'), false);
    assert.equal(claimValue('phone_number_verified', 'TRUE'), false, 'only the exact string true');
    assert.equal(claimValue('updated_at', '1700000000'), 1_700_000_000);
    assert.equal(claimValue('updated_at', 'yesterday'), 'yesterday');
    assert.equal(claimValue('custom:verified', 'true'), 'true');
    assert.equal(claimValue('email', 'a@example.com'), 'a@example.com');
  });

  test('an ID token and the userInfo endpoint give every attribute the same value and type', async () => {
    const attributes = {
      email: 'alice@example.com',
      email_verified: 'true',
      phone_number: '+15555550100',
      phone_number_verified: 'false',
      updated_at: '1700000000',
      name: 'Alice',
      'custom:tier': 'gold',
    };
    const keys = loadSigningKeys('us-east-1_TEST', await generateSigningKeys(Date.now()));
    const tokens = await issueTokens(keys, {
      issuer: 'https://issuer.example/us-east-1_TEST',
      clientId: 'client',
      user: { sub: 'sub-1', username: 'alice', attributes, groups: [] },
      authTime: 1,
      originJti: 'session',
      scope: 'openid',
      idTokenSeconds: 60,
      accessTokenSeconds: 60,
      now: Date.now(),
    });
    const idToken = decodeJwt(tokens.idToken);
    const user = { sub: 'sub-1', username: 'alice', attributes } as unknown as UserRecord;
    const client = { settings: {} } as unknown as AppClientRecord;
    const userInfo = userInfoClaims(user, client, ['openid']);
    for (const name of Object.keys(attributes)) assert.deepEqual(userInfo[name], idToken[name], name);
    assert.equal(idToken.email_verified, true);
    assert.equal(userInfo.updated_at, 1_700_000_000);
  });
});
