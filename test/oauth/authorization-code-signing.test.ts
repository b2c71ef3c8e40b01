import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminUpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { probedTestRegion, whileThreadPoolHeld } from '../support/store-probe.ts';
import { authorizeUrl, pkcePair, postToken, signInOverHttp } from './support/hosted-login.ts';
import { createOAuthPool, createUser, createWebClient, PASSWORD } from './support/oauth-pool.ts';

const CALLBACK_URL = 'https://app.example.com/callback';

/**
 * Redeeming an authorization code writes its used-code record in a pool transaction; the tokens
 * are signed after it commits, so other writers of the pool do not wait for RS256 signatures
 * (test/support/store-probe.ts holds the thread pool they run in). Single use and the
 * revocation of a reused code's first tokens hold as before.
 */
describe('the authorization code grant signs after its transaction', () => {
  const probed = probedTestRegion();

  test('tokens come after the code is marked used; a reuse still revokes them', async () => {
    const pool = await createOAuthPool(probed.region);
    const { clientId } = await createWebClient(probed.region, pool.poolId, { callbackUrl: CALLBACK_URL, logoutUrl: 'https://app.example.com/logout' });
    await createUser(probed.region, pool.poolId, 'alice');
    await createUser(probed.region, pool.poolId, 'bob');
    const pkce = pkcePair();
    const { location } = await signInOverHttp(
      authorizeUrl(pool.base, { response_type: 'code', client_id: clientId, redirect_uri: CALLBACK_URL, scope: 'openid email', state: 'st', code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      'alice',
      PASSWORD,
    );
    const code = location.searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    const exchange = () => postToken(pool.base, { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK_URL, code_verifier: pkce.verifier });
    const otherWrite = () => probed.region.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.poolId, Username: 'bob', UserAttributes: [{ Name: 'name', Value: 'Bob' }] }));

    const first = await whileThreadPoolHeld(probed.probe, { holdFrom: 'next-transaction', otherWrite }, exchange);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json.token_type, 'Bearer');
    const access = decodeJwt(String(first.json.access_token));
    const id = decodeJwt(String(first.json.id_token));
    assert.equal(access.username, 'alice');
    assert.equal(id.origin_jti, access.origin_jti);
    const refresh = { grant_type: 'refresh_token', client_id: clientId, refresh_token: String(first.json.refresh_token) };
    assert.equal((await postToken(pool.base, refresh)).status, 200);

    const second = await exchange();
    assert.equal(second.status, 400);
    assert.equal(second.json.error_description, 'The authorization code has already been used.');
    // The session the first redemption recorded is the one its tokens carry.
    const afterReuse = await postToken(pool.base, refresh);
    assert.equal(afterReuse.json.error, 'invalid_grant');
    assert.equal(afterReuse.json.error_description, 'Refresh Token has been revoked');
  });
});
