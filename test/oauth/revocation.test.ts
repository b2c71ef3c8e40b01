import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { InitiateAuthCommand, RevokeTokenCommand, type CreateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import type { Store } from '../../src/store/store.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';
import { createOAuthPool, createUser, createWebClient, PASSWORD, type OAuthPool } from './support/oauth-pool.ts';

const APP_URLS = { callbackUrl: 'https://app.example.com/callback', logoutUrl: 'https://app.example.com/signed-out' };

/**
 * The revocation endpoint (RFC 7009) without a browser: refresh tokens come from the Cognito API's
 * password sign-in, which issues the same refresh tokens as the code flow. RevokeToken and
 * /oauth2/revoke share one domain function; these tests hold /oauth2/revoke to its own answers.
 */
describe('/oauth2/revoke', () => {
  let region: TestRegion;
  let serial = 0;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  interface App extends OAuthPool {
    clientId: string;
    secret?: string;
    username: string;
  }

  async function app(options: Partial<CreateUserPoolClientCommandInput> = {}): Promise<App> {
    const pool = await createOAuthPool(region);
    const client = await createWebClient(region, pool.poolId, APP_URLS, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...options });
    serial += 1;
    const username = `user${serial}`;
    await createUser(region, pool.poolId, username);
    return { ...pool, ...client, username };
  }

  const secretHash = (target: App): Record<string, string> =>
    target.secret ? { SECRET_HASH: createHmac('sha256', target.secret).update(target.username + target.clientId).digest('base64') } : {};

  async function signIn(target: App): Promise<{ access: string; refresh: string }> {
    const result = await region.cognito.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: target.clientId, AuthParameters: { USERNAME: target.username, PASSWORD, ...secretHash(target) } }),
    );
    return { access: result.AuthenticationResult!.AccessToken!, refresh: result.AuthenticationResult!.RefreshToken! };
  }

  async function refreshes(target: App, refreshToken: string): Promise<boolean> {
    try {
      await region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: target.clientId, AuthParameters: { REFRESH_TOKEN: refreshToken, ...secretHash(target) } }));
      return true;
    } catch (error) {
      assert.equal((error as Error).name, 'NotAuthorizedException');
      return false;
    }
  }

  const basic = (target: App, secret = target.secret!) => ({ authorization: `Basic ${Buffer.from(`${target.clientId}:${secret}`).toString('base64')}` });

  async function revoke(target: App, body: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; error?: string }> {
    const response = await fetch(`${target.base}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });
    const text = await response.text();
    return { status: response.status, ...(text ? { error: (JSON.parse(text) as { error: string }).error } : {}) };
  }

  /** Counts the pool transactions and read-only views the store opens while `work` runs. */
  async function countStoreUse(work: () => Promise<unknown>): Promise<{ transactions: number; reads: number }> {
    const store: Store = region.region.store;
    const counts = { transactions: 0, reads: 0 };
    const transaction = store.transaction.bind(store);
    const read = store.read.bind(store);
    store.transaction = ((poolId: string, work: never) => ((counts.transactions += 1), transaction(poolId, work))) as Store['transaction'];
    store.read = ((poolId: string, work: never) => ((counts.reads += 1), read(poolId, work))) as Store['read'];
    try {
      await work();
    } finally {
      // The store's own methods (on its prototype) come back.
      Reflect.deleteProperty(store, 'transaction');
      Reflect.deleteProperty(store, 'read');
    }
    return counts;
  }

  test('the token and revocation endpoints answer framing, method, domain and authentication failures alike', async () => {
    const target = await app({ GenerateSecret: true });
    const answer = async (url: string, init: RequestInit) => {
      const response = await fetch(url, init);
      const text = await response.text();
      return {
        status: response.status,
        error: text ? (JSON.parse(text) as { error: string }).error : undefined,
        allow: response.headers.get('allow'),
        challenge: response.headers.get('www-authenticate'),
        cacheControl: response.headers.get('cache-control'),
      };
    };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    type Answer = Awaited<ReturnType<typeof answer>>;
    const refused = (status: number, error: string, extra: Partial<Answer> = {}): Answer => ({ status, error, allow: null, challenge: null, cacheControl: 'no-store', ...extra });
    const cases: Array<[string, (endpoint: string) => [string, RequestInit], Answer]> = [
      ['GET', (endpoint) => [`${target.base}${endpoint}`, { method: 'GET' }], refused(405, 'invalid_request', { allow: 'POST' })],
      ['JSON body', (endpoint) => [`${target.base}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json', ...basic(target) }, body: '{}' }], refused(400, 'invalid_request')],
      ['body over the limit', (endpoint) => [`${target.base}${endpoint}`, { method: 'POST', headers: { ...form, ...basic(target) }, body: `pad=${'x'.repeat(1_100_000)}` }], refused(413, 'invalid_request')],
      ['repeated parameter', (endpoint) => [`${target.base}${endpoint}`, { method: 'POST', headers: { ...form, ...basic(target) }, body: 'a=1&a=2' }], refused(400, 'invalid_request')],
      ['unknown domain', (endpoint) => [`${region.url}/no-such-prefix${endpoint}`, { method: 'POST', headers: form, body: 'a=1' }], refused(404, 'not_found')],
      [
        'wrong Basic secret',
        (endpoint) => [`${target.base}${endpoint}`, { method: 'POST', headers: { ...form, ...basic(target, 'wrong') }, body: endpoint === '/oauth2/token' ? 'grant_type=refresh_token&refresh_token=x' : 'token=x' }],
        refused(401, 'invalid_client', { challenge: 'Basic realm="oauth2", charset="UTF-8"' }),
      ],
    ];
    for (const [name, request, expected] of cases) {
      assert.deepEqual(await answer(...request('/oauth2/token')), expected, `token endpoint: ${name}`);
      assert.deepEqual(await answer(...request('/oauth2/revoke')), expected, `revocation endpoint: ${name}`);
    }
  });

  test('a public client revokes its refresh token in one transaction; the session ends, others stay', async () => {
    const target = await app();
    const revoked = await signIn(target);
    const kept = await signIn(target);
    const counts = await countStoreUse(async () => assert.deepEqual(await revoke(target, { token: revoked.refresh, client_id: target.clientId }), { status: 200 }));
    assert.deepEqual(counts, { transactions: 1, reads: 0 }, 'client check, token check and revocation in one transaction');
    assert.equal(await refreshes(target, revoked.refresh), false);
    assert.equal(await refreshes(target, kept.refresh), true);
    assert.deepEqual(await revoke(target, { token: revoked.refresh, client_id: target.clientId }), { status: 200 }, 'revoking twice succeeds');
  });

  test('a confidential client authenticates; a wrong secret is invalid_client and revokes nothing', async () => {
    const target = await app({ GenerateSecret: true });
    const tokens = await signIn(target);
    assert.deepEqual(await revoke(target, { token: tokens.refresh }, basic(target, 'wrong')), { status: 401, error: 'invalid_client' });
    assert.deepEqual(await revoke(target, { token: tokens.refresh, client_id: target.clientId }), { status: 401, error: 'invalid_client' });
    assert.deepEqual(await revoke(target, {}, basic(target, 'wrong')), { status: 401, error: 'invalid_client' }, 'the client is judged before the missing token');
    assert.equal(await refreshes(target, tokens.refresh), true);
    assert.deepEqual(await revoke(target, { token: tokens.refresh }, basic(target)), { status: 200 });
    assert.equal(await refreshes(target, tokens.refresh), false);
  });

  test('each refusal in RFC 7009 / RFC 6749 terms, and RevokeToken in Cognito\'s for the same cases', async () => {
    const target = await app();
    const sibling = { ...target, ...(await createWebClient(region, target.poolId, APP_URLS, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })) };
    const disabled = { ...target, ...(await createWebClient(region, target.poolId, APP_URLS, { EnableTokenRevocation: false, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })) };
    const tokens = await signIn(target);
    const cognitoRevoke = (clientId: string, token: string) => region.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: token }));

    assert.deepEqual(await revoke(target, { client_id: target.clientId }), { status: 400, error: 'invalid_request' });
    assert.deepEqual(await revoke(target, { token: tokens.access, client_id: target.clientId }), { status: 400, error: 'unsupported_token_type' });
    await assert.rejects(cognitoRevoke(target.clientId, tokens.access), { name: 'UnsupportedTokenTypeException' });
    assert.deepEqual(await revoke(target, { token: 'not-a-token', client_id: target.clientId }), { status: 200 }, 'RFC 7009 §2.2: unknown tokens are no error');
    await assert.rejects(cognitoRevoke(target.clientId, 'not-a-token'), { name: 'UnsupportedTokenTypeException' });
    assert.deepEqual(await revoke(target, { token: tokens.refresh, client_id: sibling.clientId }), { status: 400, error: 'invalid_grant' });
    await assert.rejects(cognitoRevoke(sibling.clientId, tokens.refresh), { name: 'UnauthorizedException' });
    const disabledTokens = await signIn(disabled);
    assert.deepEqual(await revoke(disabled, { token: disabledTokens.refresh, client_id: disabled.clientId }), { status: 400, error: 'invalid_request' });
    await assert.rejects(cognitoRevoke(disabled.clientId, disabledTokens.refresh), { name: 'UnsupportedOperationException' });
    assert.deepEqual(await revoke(target, { token: tokens.refresh, client_id: 'unknownclient0000000000000' }), { status: 401, error: 'invalid_client' });
    assert.deepEqual(await revoke(target, { token: tokens.refresh, client_id: 'not a client id' }), { status: 401, error: 'invalid_client' });
    assert.equal(await refreshes(target, tokens.refresh), true, 'no refusal revoked anything');
    assert.equal(await refreshes(disabled, disabledTokens.refresh), true);

    await cognitoRevoke(target.clientId, tokens.refresh);
    assert.equal(await refreshes(target, tokens.refresh), false);
  });
});
