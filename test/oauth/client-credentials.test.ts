import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateResourceServerCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteResourceServerCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { PoolVault } from '../../src/crypto/pool-vault.ts';
import { UsageCounter } from '../../src/metering/usage-counter.ts';
import { PoolMissing } from '../../src/store/store.ts';
import { startTestRegion, TEST_ADMIN, type TestRegion } from '../support/region.ts';
import { createMachineClient } from './support/oauth-pool.ts';
import { dropSigningKeys } from '../support/signing-keys.ts';

const AUTH_DOMAIN = 'auth.meridian.test';

interface HttpAnswer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

describe('the token endpoint: client_credentials (RFC 6749 §4.4)', () => {
  let region: TestRegion;
  let serial = 0;
  before(async () => {
    region = await startTestRegion({ authDomain: AUTH_DOMAIN });
  });
  after(async () => {
    await region.stop();
  });

  interface M2MSetup {
    poolId: string;
    prefix: string;
    tokenUrl: string;
    clientId: string;
    secret: string;
  }

  /** A pool with two resource servers, a prefix domain and a client_credentials client. */
  async function m2mPool(clientOptions: Partial<CreateUserPoolClientCommandInput> = {}): Promise<M2MSetup> {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'm2m' }))).UserPool!.Id!;
    await region.cognito.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'orders',
        Name: 'Orders',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'Read' },
          { ScopeName: 'write', ScopeDescription: 'Write' },
        ],
      }),
    );
    await region.cognito.send(
      new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com/v1', Name: 'Admin', Scopes: [{ ScopeName: 'admin', ScopeDescription: 'All' }] }),
    );
    serial += 1;
    const prefix = `m2m-${process.pid}-${serial}`;
    await region.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    const created = await newClient(poolId, { AllowedOAuthScopes: ['orders/read', 'orders/write'], ...clientOptions });
    return { poolId, prefix, tokenUrl: `${region.url}/${prefix}/oauth2/token`, clientId: created.ClientId!, secret: created.ClientSecret! };
  }

  function newClient(poolId: string, options: Partial<CreateUserPoolClientCommandInput> = {}) {
    return createMachineClient(region, poolId, options);
  }

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function post(url: string, body: string | Record<string, string>, headers: Record<string, string> = {}, method = 'POST'): Promise<HttpAnswer> {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: method === 'GET' || method === 'HEAD' ? undefined : typeof body === 'string' ? body : new URLSearchParams(body).toString(),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  function assertOAuthError(answer: HttpAnswer, status: number, error: string): void {
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    assert.equal(answer.json.error, error);
    assert.equal(typeof answer.json.error_description, 'string');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  }

  async function verifyAccessToken(poolId: string, token: string) {
    const jwks = createRemoteJWKSet(new URL(`${region.url}/${poolId}/.well-known/jwks.json`));
    return (await jwtVerify(token, jwks, { issuer: `${region.url}/${poolId}`, algorithms: ['RS256'] })).payload;
  }

  test('HTTP Basic: an access token for the client with every allowed scope, verifiable against the pool JWKS', async () => {
    const setup = await m2mPool();
    const answer = await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(setup.clientId, setup.secret) });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(Object.keys(answer.json).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(answer.json.token_type, 'Bearer');
    assert.equal(answer.json.expires_in, 600);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('pragma'), 'no-cache');
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);

    const claims = await verifyAccessToken(setup.poolId, String(answer.json.access_token));
    assert.equal(claims.client_id, setup.clientId);
    assert.equal(claims.sub, setup.clientId);
    assert.equal(claims.token_use, 'access');
    assert.equal(claims.scope, 'orders/read orders/write');
    assert.equal(claims.exp! - claims.iat!, 600);
    assert.equal(typeof claims.jti, 'string');
  });

  test('client_secret_post with a requested subset of the allowed scopes', async () => {
    const setup = await m2mPool();
    const answer = await post(setup.tokenUrl, { grant_type: 'client_credentials', client_id: setup.clientId, client_secret: setup.secret, scope: 'orders/write' });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal((await verifyAccessToken(setup.poolId, String(answer.json.access_token))).scope, 'orders/write');
    // A charset parameter on the content type is fine; so is client_id beside Basic.
    const withCharset = await post(setup.tokenUrl, `grant_type=client_credentials&client_id=${setup.clientId}&scope=orders%2Fread`, {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      authorization: basic(setup.clientId, setup.secret),
    });
    assert.equal(withCharset.status, 200, JSON.stringify(withCharset.json));
  });

  test('a wrong secret or an unknown client is invalid_client 401; the challenge comes only after Basic', async () => {
    const setup = await m2mPool();
    const viaBasic = await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(setup.clientId, `${setup.secret}x`) });
    assertOAuthError(viaBasic, 401, 'invalid_client');
    assert.match(viaBasic.headers.get('www-authenticate') ?? '', /^Basic /);
    const viaBody = await post(setup.tokenUrl, { grant_type: 'client_credentials', client_id: setup.clientId, client_secret: 'wrong' });
    assertOAuthError(viaBody, 401, 'invalid_client');
    assert.equal(viaBody.headers.get('www-authenticate'), null);
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic('abcdefghijklmnopqrstuvwxyz', setup.secret) }), 401, 'invalid_client');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', client_id: 'no-such-client!', client_secret: 's' }), 401, 'invalid_client');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }), 401, 'invalid_client');
    // A client of another pool is unknown here.
    const other = await m2mPool();
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(other.clientId, other.secret) }), 401, 'invalid_client');
  });

  test('both authentication methods at once are invalid_request', async () => {
    const setup = await m2mPool();
    const answer = await post(setup.tokenUrl, { grant_type: 'client_credentials', client_id: setup.clientId, client_secret: setup.secret }, { authorization: basic(setup.clientId, setup.secret) });
    assertOAuthError(answer, 400, 'invalid_request');
  });

  test('scopes: unknown, not allowed, deleted or malformed are invalid_scope', async () => {
    const setup = await m2mPool();
    const auth = { authorization: basic(setup.clientId, setup.secret) };
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'orders/delete' }, auth), 400, 'invalid_scope');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'orders/read https://api.example.com/v1/admin' }, auth), 400, 'invalid_scope');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'openid' }, auth), 400, 'invalid_scope');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'orders/read "quoted"' }, auth), 400, 'invalid_scope');

    await region.cognito.send(new DeleteResourceServerCommand({ UserPoolId: setup.poolId, Identifier: 'orders' }));
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'orders/read' }, auth), 400, 'invalid_scope');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }, auth), 400, 'invalid_scope');
  });

  test('a client that does not allow the client_credentials flow is unauthorized_client', async () => {
    const setup = await m2mPool();
    const plain = await newClient(setup.poolId, { AllowedOAuthFlowsUserPoolClient: false, AllowedOAuthFlows: undefined, AllowedOAuthScopes: undefined });
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(plain.ClientId!, plain.ClientSecret!) }), 400, 'unauthorized_client');
    const publicClient = await newClient(setup.poolId, { GenerateSecret: false, AllowedOAuthFlowsUserPoolClient: false, AllowedOAuthFlows: undefined, AllowedOAuthScopes: undefined });
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials', client_id: publicClient.ClientId! }), 400, 'unauthorized_client');
  });

  test('grant_type: missing is invalid_request, unknown is unsupported_grant_type', async () => {
    const setup = await m2mPool();
    const auth = { authorization: basic(setup.clientId, setup.secret) };
    assertOAuthError(await post(setup.tokenUrl, { scope: 'orders/read' }, auth), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: '' }, auth), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'password', username: 'u', password: 'p' }, auth), 400, 'unsupported_grant_type');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'toString' }, auth), 400, 'unsupported_grant_type');
  });

  test('GET is 405 invalid_request with Allow: POST; malformed bodies are invalid_request, never 500', async () => {
    const setup = await m2mPool();
    const auth = { authorization: basic(setup.clientId, setup.secret) };
    const viaGet = await post(`${setup.tokenUrl}?grant_type=client_credentials`, {}, auth, 'GET');
    assertOAuthError(viaGet, 405, 'invalid_request');
    assert.equal(viaGet.headers.get('allow'), 'POST');
    assertOAuthError(await post(setup.tokenUrl, { grant_type: 'client_credentials' }, auth, 'PUT'), 405, 'invalid_request');

    assertOAuthError(await post(setup.tokenUrl, JSON.stringify({ grant_type: 'client_credentials' }), { ...auth, 'content-type': 'application/json' }), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, 'grant_type=client_credentials&grant_type=client_credentials', auth), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, '', auth), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, 'grant_type=client_credentials', { ...auth, 'content-type': 'text/plain' }), 400, 'invalid_request');
    assertOAuthError(await post(setup.tokenUrl, 'grant_type=client_credentials', { ...auth, 'content-type': '' }), 400, 'invalid_request');
    const invalidUtf8 = await fetch(setup.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      body: Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x3d, 0xff, 0xfe]),
    });
    assert.equal(invalidUtf8.status, 400);
    assert.equal(((await invalidUtf8.json()) as { error: string }).error, 'invalid_request');
    const huge = await post(setup.tokenUrl, `grant_type=client_credentials&pad=${'x'.repeat(1_100_000)}`, auth);
    assert.equal(huge.json.error, 'invalid_request');
    assert.ok(huge.status === 413 || huge.status === 400);
  });

  test('seeded garbage at the token endpoint is always a 4xx OAuth error, never a 500', async () => {
    const setup = await m2mPool();
    let state = 0x70a3;
    const random = (below: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % below;
    };
    const pick = <T,>(items: readonly T[]): T => items[random(items.length)]!;
    const fragments = ['grant_type=client_credentials', 'grant_type=', 'scope=orders%2Fread', 'scope=%ZZ', 'client_id=%00', 'client_secret=x', '=', '&&&', '%', 'a=b=c', '\u0000', 'grant_type=authorization_code', 'scope=' + 'a'.repeat(5000)];
    const authorizations = [undefined, basic(setup.clientId, setup.secret), 'Basic', 'Basic ====', 'Basic ' + 'A'.repeat(3000), 'Bearer x', 'Digest abc', `Basic ${Buffer.from(':').toString('base64')}`];
    const types = ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=x', 'text/plain', 'application/x-www-form-urlencoded; charset=latin1', '*/*', '???'];
    for (let i = 0; i < 150; i += 1) {
      const body = Array.from({ length: random(5) }, () => pick(fragments)).join('&');
      const authorization = pick(authorizations);
      const method = pick(['POST', 'POST', 'POST', 'GET', 'DELETE', 'PATCH']);
      const answer = await fetch(setup.tokenUrl, {
        method,
        headers: { 'content-type': pick(types), ...(authorization ? { authorization } : {}) },
        body: method === 'GET' ? undefined : body,
      });
      const text = await answer.text();
      if (answer.status === 200) continue;
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} ${text}`);
      assert.equal(typeof (JSON.parse(text) as { error: unknown }).error, 'string');
    }
  });

  test('a pool without signing keys is server_error 500 in the RFC 6749 shape, never a bare crash', async () => {
    const setup = await m2mPool();
    assert.equal(await dropSigningKeys(region.region.store, setup.poolId), 2);
    const answer = await post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(setup.clientId, setup.secret) });
    assertOAuthError(answer, 500, 'server_error');
    assert.deepEqual(Object.keys(answer.json).sort(), ['error', 'error_description']);
    assert.match(String(answer.json.error_description), /no usable signing keys/);
    // Its JWKS and discovery document: 503 to come back later (a replica still copying), not a crash.
    for (const document of ['jwks.json', 'openid-configuration']) {
      const response = await fetch(`${region.url}/${setup.poolId}/.well-known/${document}`);
      assert.equal(response.status, 503, document);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.equal(((await response.json()) as { error?: string }).error, 'temporarily_unavailable');
    }
  });

  test('an unknown domain prefix is 404 JSON', async () => {
    for (const path of ['/no-such-prefix/oauth2/token', '/Not_A_Prefix/oauth2/token', '/cognito/oauth2/token']) {
      const answer = await post(`${region.url}${path}`, { grant_type: 'client_credentials' });
      assertOAuthError(answer, 404, 'not_found');
    }
    // No host-named domain on the region's own address either.
    assertOAuthError(await post(`${region.url}/oauth2/token`, { grant_type: 'client_credentials' }), 404, 'not_found');
  });

  test('host form: <prefix>.<auth domain>/oauth2/token reaches the same pool', async () => {
    const setup = await m2mPool();
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders/read' }).toString();
    const viaHost = await rawPost(`/oauth2/token`, `${setup.prefix}.${AUTH_DOMAIN}`, body, { authorization: basic(setup.clientId, setup.secret) });
    assert.equal(viaHost.status, 200, JSON.stringify(viaHost.json));
    const claims = await verifyAccessToken(setup.poolId, String(viaHost.json.access_token));
    assert.equal(claims.client_id, setup.clientId);
    assert.equal((await rawPost('/oauth2/token', `nobody-${process.pid}.${AUTH_DOMAIN}`, body, {})).status, 404);
    // A custom domain aliased to the region is served by its host name too.
    const customHost = `login-${process.pid}.example.com`;
    await region.cognito.send(
      new CreateUserPoolDomainCommand({ UserPoolId: setup.poolId, Domain: customHost, CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234' } }),
    );
    const viaCustom = await rawPost('/oauth2/token', `${customHost}:443`, body, { authorization: basic(setup.clientId, setup.secret) });
    assert.equal(viaCustom.status, 200, JSON.stringify(viaCustom.json));
    assert.equal((await rawPost('/oauth2/token', `a.b.${AUTH_DOMAIN}`, body, {})).status, 404);
  });

  /** A POST with a chosen Host header (fetch does not allow setting Host). */
  function rawPost(path: string, host: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
    const target = new URL(region.url);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { hostname: target.hostname, port: target.port, path, method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  test('openid-client v6 gets tokens with client_secret_post and client_secret_basic, and sees the RFC error codes', async () => {
    const setup = await m2mPool();
    const server = { issuer: `${region.url}/${setup.poolId}`, token_endpoint: setup.tokenUrl };

    const post = new client.Configuration(server, setup.clientId, setup.secret);
    client.allowInsecureRequests(post);
    const tokens = await client.clientCredentialsGrant(post, { scope: 'orders/read' });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 600);
    assert.equal(decodeJwt(tokens.access_token).scope, 'orders/read');

    const viaBasic = new client.Configuration(server, setup.clientId, {}, client.ClientSecretBasic(setup.secret));
    client.allowInsecureRequests(viaBasic);
    const basicTokens = await client.clientCredentialsGrant(viaBasic);
    assert.equal((await verifyAccessToken(setup.poolId, basicTokens.access_token)).scope, 'orders/read orders/write');

    const wrong = new client.Configuration(server, setup.clientId, {}, client.ClientSecretBasic('not-the-secret'));
    client.allowInsecureRequests(wrong);
    // Basic failed: openid-client surfaces the 401 challenge, whose body is the RFC error.
    const challenge = (await client.clientCredentialsGrant(wrong).then(
      () => assert.fail('a wrong secret was accepted'),
      (error: unknown) => error,
    )) as { code?: string; status?: number; cause?: Array<{ scheme: string }>; response?: Response };
    assert.equal(challenge.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE');
    assert.equal(challenge.status, 401);
    assert.equal(challenge.cause?.[0]?.scheme, 'basic');
    assert.equal(((await challenge.response!.json()) as { error: string }).error, 'invalid_client');
    const wrongPost = new client.Configuration(server, setup.clientId, 'not-the-secret');
    client.allowInsecureRequests(wrongPost);
    await assert.rejects(client.clientCredentialsGrant(wrongPost), (error: unknown) => (error as { error?: string }).error === 'invalid_client');
    await assert.rejects(client.clientCredentialsGrant(post, { scope: 'orders/nope' }), (error: unknown) => (error as { error?: string }).error === 'invalid_scope');
  });

  test('metering counts each issued M2M token per pool and client; GET /admin/usage needs the admin signature', async () => {
    const setup = await m2mPool();
    const second = await newClient(setup.poolId, { ClientName: 'second' });
    const grant = (id: string, secret: string) => post(setup.tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(id, secret) });
    for (let i = 0; i < 3; i += 1) assert.equal((await grant(setup.clientId, setup.secret)).status, 200);
    assert.equal((await grant(second.ClientId!, second.ClientSecret!)).status, 200);
    // Failures are not billed.
    assert.equal((await grant(setup.clientId, 'wrong')).status, 401);
    assert.equal((await post(setup.tokenUrl, { grant_type: 'client_credentials', scope: 'orders/none' }, { authorization: basic(setup.clientId, setup.secret) })).status, 400);

    const usage = await signedGet(`/admin/usage?poolId=${setup.poolId}`);
    assert.equal(usage.status, 200, JSON.stringify(usage.json));
    const period = new Date().toISOString().slice(0, 7);
    assert.deepEqual(usage.json, {
      Region: 'us-east-1',
      UserPoolId: setup.poolId,
      Period: period,
      M2MTokens: {
        Total: 4,
        Clients: [
          { ClientId: setup.clientId, Tokens: 3 },
          { ClientId: second.ClientId!, Tokens: 1 },
        ].sort((a, b) => a.ClientId.localeCompare(b.ClientId)),
      },
    });
    // The read wrote the counts to region-local state; new tokens add to them.
    assert.equal((await grant(second.ClientId!, second.ClientSecret!)).status, 200);
    assert.equal(((await signedGet(`/admin/usage?poolId=${setup.poolId}&period=${period}`)).json.M2MTokens as { Total: number }).Total, 5);
    assert.equal(((await signedGet(`/admin/usage?poolId=${setup.poolId}&period=2001-01`)).json.M2MTokens as { Total: number }).Total, 0);

    const unsigned = await fetch(`${region.url}/admin/usage?poolId=${setup.poolId}`);
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'UnrecognizedClientException');
    assert.equal((await signedGet('/admin/usage?poolId=us-east-1_Missing00')).status, 404);
    assert.equal((await signedGet('/admin/usage')).status, 400);
    assert.equal((await signedGet(`/admin/usage?poolId=${setup.poolId}&period=2024-13`)).status, 400);
  });

  async function signedGet(pathAndQuery: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const target = new URL(pathAndQuery, region.url);
    const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        path: target.pathname,
        query: Object.fromEntries(target.searchParams),
        headers: { host: target.host },
      }),
    );
    const response = await fetch(target, { headers: signed.headers as Record<string, string> });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
});

describe('UsageCounter: M2M token counts in region-local state', () => {
  /** The two PoolVault methods the counter uses, over a Map; `failWrites` makes writes throw. */
  function memoryVault(pools: string[]) {
    const local = new Map<string, unknown>();
    const state = { failWrites: false, writes: 0 };
    const vault = {
      async readLocal<T>(poolId: string, kind: string, id: string): Promise<T | null> {
        if (!pools.includes(poolId)) throw new PoolMissing(poolId);
        return (structuredClone(local.get(`${poolId}/${kind}/${id}`)) as T) ?? null;
      },
      async writeLocal(poolId: string, kind: string, id: string, value: unknown): Promise<void> {
        if (!pools.includes(poolId)) throw new PoolMissing(poolId);
        if (state.failWrites) throw new Error('disk full');
        state.writes += 1;
        local.set(`${poolId}/${kind}/${id}`, structuredClone(value));
      },
      async updateLocal<T, R>(poolId: string, kind: string, id: string, update: (current: T | null) => { value: T | null; result: R }): Promise<R> {
        const decided = update(await this.readLocal<T>(poolId, kind, id));
        if (decided.value !== null) await this.writeLocal(poolId, kind, id, decided.value);
        return decided.result;
      },
    };
    return { vault: vault as unknown as PoolVault, state, pools };
  }

  test('counts per pool, client and month; a read includes what is pending; the timer writes the rest', async () => {
    let now = Date.UTC(2026, 5, 30, 23, 59, 59);
    const { vault, state } = memoryVault(['p1', 'p2']);
    const counter = new UsageCounter(vault, 'eu-west-1', { flushIntervalMs: 20, now: () => now });
    counter.recordM2MToken('p1', 'a');
    counter.recordM2MToken('p1', 'a');
    counter.recordM2MToken('p1', 'b');
    counter.recordM2MToken('p2', 'a');
    now = Date.UTC(2026, 6, 1);
    counter.recordM2MToken('p1', 'a');
    assert.deepEqual(await counter.m2mTokens('p1', '2026-06'), { region: 'eu-west-1', poolId: 'p1', period: '2026-06', total: 3, clients: [{ clientId: 'a', tokens: 2 }, { clientId: 'b', tokens: 1 }] });
    assert.equal((await counter.m2mTokens('p1')).total, 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const writesBefore = state.writes;
    assert.equal((await counter.m2mTokens('p2', '2026-06')).total, 1);
    assert.equal(state.writes, writesBefore, 'p2 was already written by the timer');
    await counter.close();
  });

  test('a failed write keeps the counts for the next flush; a deleted pool drops them', async () => {
    const { vault, state, pools } = memoryVault(['p1', 'gone']);
    const counter = new UsageCounter(vault, 'us-east-1', { flushIntervalMs: 60_000, now: () => Date.UTC(2026, 0, 15) });
    counter.recordM2MToken('p1', 'a');
    state.failWrites = true;
    await counter.flush();
    state.failWrites = false;
    counter.recordM2MToken('p1', 'a');
    assert.equal((await counter.m2mTokens('p1')).total, 2);

    counter.recordM2MToken('gone', 'a');
    pools.splice(pools.indexOf('gone'), 1);
    await counter.close();
    pools.push('gone');
    assert.equal((await counter.m2mTokens('gone')).total, 0);
  });
});
