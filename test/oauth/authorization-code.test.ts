import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { AdminDisableUserCommand, CreateUserPoolCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { startTestRegion, TestClock, type TestRegion } from '../support/region.ts';
import { launchChromium, saveScreenshot, submitLogin } from './support/browser.ts';
import { startCallbackServer, type CallbackServer } from './support/callback-server.ts';
import { startAll, stopStarted } from './support/start-all.ts';
import { authorizeUrl, CookieJar, getManual, pkcePair, postToken, signInOverHttp } from './support/hosted-login.ts';
import { createOAuthPool, createUser, createWebClient, PASSWORD, type OAuthPool } from './support/oauth-pool.ts';

const AUTH_DOMAIN = 'auth.meridian.test';

/**
 * Authorization code + PKCE (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1) against the hosted login,
 * with openid-client v6 as the relying party and a real headless Chromium submitting the login
 * form; plus the token, userInfo, revocation and logout endpoints around it.
 */
describe('OAuth 2.0 authorization code flow with the hosted login', () => {
  let region: TestRegion;
  let browser: Browser;
  let relyingParty: CallbackServer;
  let CALLBACK_URL: string;
  let LOGOUT_URL: string;
  const clock = new TestClock();
  let serial = 0;

  before(async () => {
    [region, browser, relyingParty] = await startAll<[TestRegion, Browser, CallbackServer]>([startTestRegion({ authDomain: AUTH_DOMAIN }, { now: clock.now }), launchChromium(), startCallbackServer()], stopStarted);
    CALLBACK_URL = relyingParty.callbackUrl;
    LOGOUT_URL = relyingParty.logoutUrl;
  });
  after(async () => {
    await browser?.close();
    await region?.stop();
    await relyingParty?.close();
  });

  interface WebApp extends OAuthPool {
    clientId: string;
    secret?: string;
    username: string;
    email: string;
  }

  /** A pool with a domain, an app client and a user; public (PKCE) unless `secret`. */
  async function webApp(options: { secret?: boolean; flows?: Array<'code' | 'implicit'>; scopes?: string[]; passwordAuth?: boolean } = {}): Promise<WebApp> {
    const pool = await createOAuthPool(region);
    const created = await createWebClient(region, pool.poolId, relyingParty, {
      GenerateSecret: options.secret ?? false,
      AllowedOAuthFlows: options.flows ?? ['code'],
      AllowedOAuthScopes: options.scopes ?? ['openid', 'email', 'profile'],
      ...(options.passwordAuth ? { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] } : {}),
    });
    serial += 1;
    const username = `user${serial}`;
    const email = await createUser(region, pool.poolId, username);
    return { ...pool, ...created, username, email };
  }

  /** openid-client's Configuration from the pool's discovery document (the issuer). */
  function discover(app: WebApp): Promise<client.Configuration> {
    const authentication = app.secret ? client.ClientSecretBasic(app.secret) : client.None();
    return client.discovery(new URL(app.issuer), app.clientId, undefined, authentication, { execute: [client.allowInsecureRequests] });
  }

  /** A code for `app`'s user, signed in over HTTP (the Chromium test drives the same form). */
  async function codeFor(app: WebApp, extra: Record<string, string> = {}): Promise<{ code: string; verifier: string }> {
    const pkce = pkcePair();
    const { location } = await signInOverHttp(
      authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid email', state: 'st', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra }),
      app.username,
      PASSWORD,
    );
    const code = location.searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    return { code, verifier: pkce.verifier };
  }

  function exchange(app: WebApp, code: string, verifier: string | undefined): Promise<{ status: number; json: Record<string, unknown> }> {
    return postToken(app.base, { grant_type: 'authorization_code', client_id: app.clientId, code, redirect_uri: CALLBACK_URL, ...(verifier ? { code_verifier: verifier } : {}) });
  }

  function assertRedirectError(response: Response, error: string, state = 'st'): URL {
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, CALLBACK_URL);
    assert.equal(location.searchParams.get('error'), error, location.toString());
    assert.equal(location.searchParams.get('state'), state);
    assert.equal(location.searchParams.get('code'), null);
    return location;
  }

  test('the discovery document advertises the pool domain endpoints, and only when there is a domain', async () => {
    const app = await webApp();
    const config = await discover(app);
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, app.issuer);
    assert.equal(metadata.authorization_endpoint, `${app.base}/oauth2/authorize`);
    assert.equal(metadata.token_endpoint, `${app.base}/oauth2/token`);
    assert.equal(metadata.userinfo_endpoint, `${app.base}/oauth2/userInfo`);
    assert.equal(metadata.revocation_endpoint, `${app.base}/oauth2/revoke`);
    assert.equal(metadata.end_session_endpoint, `${app.base}/logout`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.ok(metadata.grant_types_supported?.includes('authorization_code'));
    assert.ok(metadata.grant_types_supported?.includes('refresh_token'));
    assert.ok(metadata.response_types_supported?.includes('code'));

    const bare = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'no-domain' }))).UserPool!.Id!;
    const document = (await (await fetch(`${region.url}/${bare}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(document.issuer, `${region.url}/${bare}`);
    assert.equal(document.authorization_endpoint, undefined);
    assert.equal(document.token_endpoint, undefined);
  });

  test('code + PKCE: Chromium submits the login form; openid-client exchanges, reads userInfo, refreshes, revokes and logs out', async () => {
    const app = await webApp();
    const config = await discover(app);
    const context = await browser.newContext();
    try {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const start = client.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK_URL,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });

      const page = await context.newPage();
      await page.goto(start.href);
      assert.equal(new URL(page.url()).pathname, `/${app.prefix}/login`);
      assert.equal(await page.title(), 'Sign in');
      await saveScreenshot(page, 'authorization-code-login');
      await submitLogin(page, app.username, PASSWORD);
      const callback = await relyingParty.next('/callback');
      assert.equal(callback.searchParams.get('state'), state);
      await saveScreenshot(page, 'authorization-code-callback');

      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.expires_in, 3600);
      assert.ok(tokens.refresh_token);

      // The ID token, checked independently with jose against the pool's JWKS.
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload: idClaims, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: app.issuer, audience: app.clientId, algorithms: ['RS256'] });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(idClaims.nonce, nonce);
      assert.equal(idClaims.token_use, 'id');
      assert.equal(idClaims['cognito:username'], app.username);
      assert.equal(idClaims.email, app.email);
      assert.equal(idClaims.email_verified, true);
      const accessClaims = (await jwtVerify(tokens.access_token, jwks, { issuer: app.issuer })).payload;
      assert.equal(accessClaims.scope, 'openid email profile');
      assert.equal(accessClaims.client_id, app.clientId);
      assert.equal(accessClaims.token_use, 'access');
      assert.equal(accessClaims.origin_jti, idClaims.origin_jti);

      const info = await client.fetchUserInfo(config, tokens.access_token, String(idClaims.sub));
      assert.equal(info.sub, idClaims.sub);
      assert.equal(info.username, app.username);
      assert.equal(info.email, app.email);
      assert.equal(info.email_verified, true);
      assert.equal(info.name, `User ${app.username}`);

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      assert.ok(refreshed.id_token);
      assert.equal(refreshed.refresh_token, undefined);
      const refreshedClaims = decodeJwt(refreshed.access_token);
      assert.equal(refreshedClaims.origin_jti, accessClaims.origin_jti);
      assert.equal(refreshedClaims.scope, 'openid email profile');

      // Single sign-on: a second authorization finds the browser session and needs no form.
      await page.goto(client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK_URL, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'again' }).href);
      const silent = await relyingParty.next('/callback');
      assert.equal(silent.searchParams.get('state'), 'again');
      assert.ok(silent.searchParams.get('code'));

      await client.tokenRevocation(config, tokens.refresh_token!);
      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: unknown) => (error as { error?: string }).error === 'invalid_grant');
      await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, String(idClaims.sub)), (error: unknown) => (error as { status?: number }).status === 401);

      // Logout (RP-initiated, openid-client's end-session URL) ends the browser session.
      await page.goto(client.buildEndSessionUrl(config, { post_logout_redirect_uri: LOGOUT_URL, state: 'bye' }).href);
      const signedOut = await relyingParty.next('/signed-out');
      assert.equal(signedOut.searchParams.get('state'), 'bye');
      assert.equal((await context.cookies(app.base)).some((cookie) => cookie.name === 'meridian-session'), false);
      await page.goto(start.href);
      assert.equal(new URL(page.url()).pathname, `/${app.prefix}/login`);
    } finally {
      await context.close();
    }
  });

  test('a confidential client exchanges a code with client_secret_basic, PKCE optional; Cognito logout_uri form', async () => {
    const app = await webApp({ secret: true });
    const config = await discover(app);
    const jar = new CookieJar();
    const { location } = await signInOverHttp(authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid', state: 'c1' }), app.username, PASSWORD, jar);
    const tokens = await client.authorizationCodeGrant(config, location, { expectedState: 'c1' });
    assert.equal(decodeJwt(tokens.id_token!).aud, app.clientId);
    assert.equal(decodeJwt(tokens.access_token).scope, 'openid');
    // Without the secret the code is useless.
    const { code } = await codeFor(app, { scope: 'openid' });
    const unauthenticated = await postToken(app.base, { grant_type: 'authorization_code', client_id: app.clientId, code, redirect_uri: CALLBACK_URL });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.json.error, 'invalid_client');

    // GET /logout?client_id&logout_uri: exact match of LogoutURLs, the session cookie deleted.
    assert.ok(jar.has('meridian-session'));
    const wrong = await getManual(`${app.base}/logout?client_id=${app.clientId}&logout_uri=${encodeURIComponent('https://evil.example/')}`, jar);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.headers.get('location'), null);
    assert.ok(jar.has('meridian-session'));
    const logout = await getManual(`${app.base}/logout?client_id=${app.clientId}&logout_uri=${encodeURIComponent(LOGOUT_URL)}`, jar);
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), LOGOUT_URL);
    assert.equal(jar.has('meridian-session'), false);
    // The redirect_uri form restarts sign-in at the login page.
    const restart = await getManual(`${app.base}/logout?client_id=${app.clientId}&redirect_uri=${encodeURIComponent(CALLBACK_URL)}&response_type=code&scope=openid&state=r`, jar);
    assert.equal(restart.status, 302);
    const login = new URL(restart.headers.get('location')!);
    assert.equal(login.pathname, `/${app.prefix}/login`);
    assert.equal(login.searchParams.get('state'), 'r');
  });

  test('a wrong redirect_uri or an unknown client is an error page in the browser, never a redirect', async () => {
    const app = await webApp();
    const context = await browser.newContext();
    try {
      const before = relyingParty.received.length;
      const page = await context.newPage();
      const pkce = pkcePair();
      const wrongRedirect = authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: 'https://evil.example/cb', state: 'x', code_challenge: pkce.challenge, code_challenge_method: 'S256' });
      const response = await page.goto(wrongRedirect);
      assert.equal(response?.status(), 400);
      assert.equal(page.url(), wrongRedirect);
      assert.match(await page.getByRole('alert').innerText(), /redirect_uri is not one of the callback URLs/);
      await saveScreenshot(page, 'authorize-wrong-redirect-uri');
      // A near miss is a miss: redirect URIs are compared exactly.
      const nearMiss = await getManual(authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: `${CALLBACK_URL}/`, code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
      assert.equal(nearMiss.status, 400);
      assert.equal(nearMiss.headers.get('location'), null);

      const unknown = await page.goto(authorizeUrl(app.base, { response_type: 'code', client_id: 'nosuchclient0000000000000', redirect_uri: CALLBACK_URL }));
      assert.equal(unknown?.status(), 400);
      assert.match(await page.getByRole('alert').innerText(), /app client does not exist/);
      assert.equal(relyingParty.received.length, before);
      // An unknown domain is a 404 page.
      assert.equal((await getManual(authorizeUrl(`${region.url}/no-such-domain`, { client_id: app.clientId }))).status, 404);
    } finally {
      await context.close();
    }
  });

  test('request errors go back to the validated redirect URI with error and state', async () => {
    const app = await webApp();
    const pkce = pkcePair();
    const base = { client_id: app.clientId, redirect_uri: CALLBACK_URL, state: 'st' };
    const s256 = { code_challenge: pkce.challenge, code_challenge_method: 'S256' };
    // PKCE is required of a public client (RFC 7636 §4.4.1), and only S256.
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code' })), 'invalid_request');
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', code_challenge: pkce.verifier, code_challenge_method: 'plain' })), 'invalid_request');
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', scope: 'openid phone', ...s256 })), 'invalid_scope');
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', scope: 'email', ...s256 })), 'invalid_scope');
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'id_token', ...s256 })), 'unsupported_response_type');
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', identity_provider: 'Google', ...s256 })), 'invalid_request');
    assertRedirectError(await getManual(`${authorizeUrl(app.base, { ...base, response_type: 'code', ...s256 })}&scope=openid&scope=email`), 'invalid_request');
    // The implicit flow is refused to a client that does not allow it, in the fragment.
    const implicit = await getManual(authorizeUrl(app.base, { ...base, response_type: 'token' }));
    assert.equal(implicit.status, 302);
    const fragment = new URLSearchParams(new URL(implicit.headers.get('location')!).hash.slice(1));
    assert.equal(fragment.get('error'), 'unauthorized_client');
    assert.equal(fragment.get('state'), 'st');
    // prompt=none without a browser session.
    assertRedirectError(await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', prompt: 'none', ...s256 })), 'login_required');
    // A valid request without a session goes to the login page with the same parameters.
    const toLogin = await getManual(authorizeUrl(app.base, { ...base, response_type: 'code', scope: 'openid', ...s256 }));
    const login = new URL(toLogin.headers.get('location')!);
    assert.equal(login.pathname, `/${app.prefix}/login`);
    assert.equal(login.searchParams.get('code_challenge'), pkce.challenge);
    assert.equal(login.searchParams.get('state'), 'st');
  });

  test('a wrong code_verifier is invalid_grant and does not use the code up', async () => {
    const app = await webApp();
    const { code, verifier } = await codeFor(app);
    const wrong = await exchange(app, code, pkcePair().verifier);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    assert.equal((await exchange(app, code, undefined)).json.error, 'invalid_grant');
    const wrongRedirect = await postToken(app.base, { grant_type: 'authorization_code', client_id: app.clientId, code, redirect_uri: CALLBACK_URL.replace('/callback', '/other'), code_verifier: verifier });
    assert.equal(wrongRedirect.json.error, 'invalid_grant');
    const right = await exchange(app, code, verifier);
    assert.equal(right.status, 200, JSON.stringify(right.json));
    assert.equal(typeof right.json.id_token, 'string');
  });

  test('a reused code is invalid_grant and revokes the tokens of its first use', async () => {
    const app = await webApp();
    const { code, verifier } = await codeFor(app);
    const first = await exchange(app, code, verifier);
    assert.equal(first.status, 200);
    const refresh = { grant_type: 'refresh_token', client_id: app.clientId, refresh_token: String(first.json.refresh_token) };
    assert.equal((await postToken(app.base, refresh)).status, 200);
    const userInfo = () => fetch(`${app.base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${String(first.json.access_token)}` } });
    assert.equal((await userInfo()).status, 200);

    const second = await exchange(app, code, verifier);
    assert.equal(second.status, 400);
    assert.equal(second.json.error, 'invalid_grant');
    assert.equal(second.json.error_description, 'The authorization code has already been used.');
    const afterReuse = await postToken(app.base, refresh);
    assert.equal(afterReuse.status, 400);
    assert.equal(afterReuse.json.error, 'invalid_grant');
    assert.equal(afterReuse.json.error_description, 'Refresh Token has been revoked');
    const info = await userInfo();
    assert.equal(info.status, 401);
    assert.match(info.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
  });

  test('racing redemptions of one code: one wins, and the loser revokes what the winner got', async () => {
    const app = await webApp();
    const { code, verifier } = await codeFor(app);
    const answers = await Promise.all([exchange(app, code, verifier), exchange(app, code, verifier), exchange(app, code, verifier)]);
    const winners = answers.filter((answer) => answer.status === 200);
    assert.equal(winners.length, 1, JSON.stringify(answers.map((answer) => answer.json.error ?? 'ok')));
    assert.ok(answers.filter((answer) => answer.status !== 200).every((answer) => answer.json.error === 'invalid_grant'));
    const refresh = await postToken(app.base, { grant_type: 'refresh_token', client_id: app.clientId, refresh_token: String(winners[0]!.json.refresh_token) });
    assert.equal(refresh.json.error, 'invalid_grant');
  });

  test('host form: <prefix>.<auth domain>/oauth2/authorize sends the browser to that host\'s /login', async () => {
    const app = await webApp();
    const pkce = pkcePair();
    const path = new URL(authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK_URL, code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
    const host = `${app.prefix}.${AUTH_DOMAIN}:${new URL(region.url).port}`;
    const withHost = (hostHeader: string) =>
      new Promise<{ status: number; location?: string }>((resolve, reject) => {
        const request = httpRequest(`${region.url}/oauth2/authorize${path.search}`, { headers: { host: hostHeader } }, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, location: response.headers.location });
        });
        request.on('error', reject);
        request.end();
      });
    const answer = await withHost(host);
    assert.equal(answer.status, 302);
    const login = new URL(answer.location!);
    assert.equal(login.host, host);
    assert.equal(login.pathname, '/login');
    assert.equal(login.searchParams.get('client_id'), app.clientId);
    // A Host whose name part finds the pool but which would make another origin of the redirect is not served.
    const smuggled = await withHost(`${app.prefix}.${AUTH_DOMAIN}:@evil.example`);
    assert.equal(smuggled.status, 404);
    assert.equal(smuggled.location, undefined);
  });

  test('a code expires after five minutes (TestClock)', async () => {
    const app = await webApp();
    const { code, verifier } = await codeFor(app);
    clock.advance(5 * 60 * 1000 + 1000);
    try {
      const expired = await exchange(app, code, verifier);
      assert.equal(expired.status, 400);
      assert.equal(expired.json.error, 'invalid_grant');
      assert.match(String(expired.json.error_description), /expired/);
    } finally {
      clock.advance(-(5 * 60 * 1000 + 1000));
    }
    // Codes are bound to their client and pool: garbage and another client's codes are invalid_grant.
    const other = await createWebClient(region, app.poolId, relyingParty);
    const stolen = await postToken(app.base, { grant_type: 'authorization_code', client_id: other.clientId, code, redirect_uri: CALLBACK_URL, code_verifier: verifier });
    assert.equal(stolen.json.error, 'invalid_grant');
    assert.equal((await exchange(app, 'not-a-code', verifier)).json.error, 'invalid_grant');
  });

  test('the implicit flow returns ID and access tokens in the fragment', async () => {
    const app = await webApp({ flows: ['code', 'implicit'] });
    const { location } = await signInOverHttp(authorizeUrl(app.base, { response_type: 'token', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid email', state: 'imp', nonce: 'n-1' }), app.username, PASSWORD);
    assert.equal(location.search, '');
    const fragment = new URLSearchParams(location.hash.slice(1));
    assert.equal(fragment.get('state'), 'imp');
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.equal(fragment.get('refresh_token'), null);
    assert.equal(decodeJwt(fragment.get('id_token')!).nonce, 'n-1');
    assert.equal(decodeJwt(fragment.get('access_token')!).scope, 'openid email');
  });

  test('the implicit flow answered by an earlier browser session carries that sign-in\'s auth_time', async () => {
    const app = await webApp({ flows: ['code', 'implicit'] });
    const implicit = (state: string) => authorizeUrl(app.base, { response_type: 'token', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid', state, nonce: `n-${state}` });
    const signedInAt = Math.floor(clock.now() / 1000);
    const { jar } = await signInOverHttp(implicit('first'), app.username, PASSWORD);
    clock.advance(60_000);
    const again = await getManual(implicit('again'), jar);
    assert.equal(again.status, 302, 'the browser session answers without the form');
    const fragment = new URLSearchParams(new URL(again.headers.get('location')!).hash.slice(1));
    const idClaims = decodeJwt(fragment.get('id_token')!);
    assert.equal(idClaims.auth_time, signedInAt);
    assert.equal(idClaims.iat, signedInAt + 60);
    assert.equal(decodeJwt(fragment.get('access_token')!).auth_time, signedInAt);
  });

  test('logout revokes the browser session: a copy of its cookie no longer signs in', async () => {
    const app = await webApp();
    const { challenge } = pkcePair();
    const start = authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
    const { jar } = await signInOverHttp(start, app.username, PASSWORD);
    const copy = jar.copy();
    const head = await fetch(`${app.base}/logout?${new URLSearchParams({ client_id: app.clientId, logout_uri: LOGOUT_URL })}`, { method: 'HEAD', redirect: 'manual', headers: { cookie: jar.header() } });
    assert.equal(head.status, 302);
    assert.equal(head.headers.getSetCookie().length, 0, 'HEAD ends nothing');
    const before = await getManual(start, copy);
    assert.ok(before.headers.get('location')!.startsWith(`${CALLBACK_URL}?`), 'the copied cookie signs in before the logout');

    const out = await getManual(`${app.base}/logout?${new URLSearchParams({ client_id: app.clientId, logout_uri: LOGOUT_URL })}`, jar);
    assert.equal(out.status, 302);
    assert.equal(out.headers.get('location'), LOGOUT_URL);
    assert.equal(jar.has('meridian-session'), false, 'the cookie is deleted');
    const replay = await getManual(start, copy);
    assert.equal(replay.status, 302);
    assert.equal(new URL(replay.headers.get('location')!).pathname, `/${app.prefix}/login`, 'and its copy gets the login form');
    // Tokens issued before the logout are the app's to revoke (as in Cognito): a logout without a cookie still works.
    assert.equal((await getManual(`${app.base}/logout?${new URLSearchParams({ client_id: app.clientId, logout_uri: LOGOUT_URL })}`)).status, 302);
  });

  test('a browser app on another origin exchanges its code and calls userInfo with fetch (CORS, as Cognito allows)', async () => {
    const app = await webApp();
    const { code, verifier } = await codeFor(app);
    const preflight = await fetch(`${app.base}/oauth2/userInfo`, { method: 'OPTIONS', headers: { origin: 'http://localhost:1', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers')!, /authorization/);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // The relying party's origin (http://localhost:<port>) is not the server's (http://127.0.0.1:<port>).
      await page.goto(`${new URL(CALLBACK_URL).origin}/spa`);
      const answers = await page.evaluate(
        // No named functions in here: the test's compiler would wrap them in a helper the page lacks.
        async ({ base, issuer, clientId, code, verifier, redirectUri }) => {
          const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
          const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
          const token = await fetch(`${base}/oauth2/token`, { method: 'POST', headers: formHeaders, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: redirectUri }) });
          const tokens = (await token.json()) as { access_token: string; refresh_token: string };
          const info = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
          // An error is readable too, and a Basic header makes the browser ask first (a preflight).
          const refused = await fetch(`${base}/oauth2/token`, { method: 'POST', headers: { ...formHeaders, authorization: `Basic ${btoa(`${clientId}:wrong`)}` }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }) });
          const revoked = await fetch(`${base}/oauth2/revoke`, { method: 'POST', headers: formHeaders, body: new URLSearchParams({ client_id: clientId, token: tokens.refresh_token }) });
          return {
            discovery: discovery.status,
            token: token.status,
            info: { status: info.status, body: (await info.json()) as Record<string, unknown> },
            refused: { status: refused.status, body: (await refused.json()) as Record<string, unknown> },
            revoked: revoked.status,
          };
        },
        { base: app.base, issuer: app.issuer, clientId: app.clientId, code, verifier, redirectUri: CALLBACK_URL },
      );
      assert.equal(answers.discovery, 200);
      assert.equal(answers.token, 200);
      assert.equal(answers.info.status, 200);
      assert.equal(answers.info.body.username, app.username);
      assert.equal(answers.refused.status, 401);
      assert.equal(answers.refused.body.error, 'invalid_client');
      assert.equal(answers.revoked, 200);
    } finally {
      await context.close();
    }
  });

  test('userInfo: Bearer per RFC 6750, openid required, scopes select the attributes', async () => {
    const app = await webApp({ scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'], passwordAuth: true });
    const url = `${app.base}/oauth2/userInfo`;
    const missing = await fetch(url);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="userInfo"');
    assert.equal(((await missing.json()) as { error?: string }).error, undefined, 'no error code without a token (RFC 6750 §3.1)');
    const garbage = await fetch(url, { headers: { authorization: 'Bearer nonsense' } });
    assert.equal(garbage.status, 401);
    assert.match(garbage.headers.get('www-authenticate')!, /error="invalid_token"/);

    // A user-pool API token has no openid scope (Cognito refuses those here too).
    const api = await region.cognitoWith({ accessKeyId: 'x', secretAccessKey: 'y' }).send(new InitiateAuthCommand({ ClientId: app.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: app.username, PASSWORD } }));
    const apiToken = await fetch(url, { headers: { authorization: `Bearer ${api.AuthenticationResult!.AccessToken!}` } });
    assert.equal(apiToken.status, 403);
    assert.match(apiToken.headers.get('www-authenticate')!, /error="insufficient_scope"/);

    const { code, verifier } = await codeFor(app, { scope: 'openid email' });
    const tokens = await exchange(app, code, verifier);
    const accessToken = String(tokens.json.access_token);
    const email = (await (await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(email).sort(), ['email', 'email_verified', 'sub', 'username']);
    // POST with the token in the form body works too; both ways at once is invalid_request.
    const viaBody = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${accessToken}` });
    assert.equal(viaBody.status, 200);
    const both = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${accessToken}` });
    assert.equal(both.status, 400);

    const profile = await codeFor(app, { scope: 'openid profile' });
    const profileTokens = await exchange(app, profile.code, profile.verifier);
    const profileClaims = (await (await fetch(url, { headers: { authorization: `Bearer ${String(profileTokens.json.access_token)}` } })).json()) as Record<string, unknown>;
    assert.equal(profileClaims.name, `User ${app.username}`);
    assert.equal(profileClaims.email, undefined);

    // A disabled user's tokens stop working.
    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: app.poolId, Username: app.username }));
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })).status, 401);
  });

  test('revocation (RFC 7009): refresh tokens only, unknown tokens are fine, the client must authenticate', async () => {
    const app = await webApp({ secret: true });
    const secretless = await createWebClient(region, app.poolId, relyingParty);
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}`;
    const revoke = (body: Record<string, string>, headers: Record<string, string> = { authorization: basic }) =>
      fetch(`${app.base}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });

    const { location } = await signInOverHttp(authorizeUrl(app.base, { response_type: 'code', client_id: app.clientId, redirect_uri: CALLBACK_URL, scope: 'openid' }), app.username, PASSWORD);
    const tokens = await postToken(app.base, { grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: CALLBACK_URL }, { authorization: basic });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
    const refreshToken = String(tokens.json.refresh_token);

    const unknown = await revoke({ token: 'no-such-token' });
    assert.equal(unknown.status, 200);
    const accessToken = await revoke({ token: String(tokens.json.access_token) });
    assert.equal(accessToken.status, 400);
    assert.equal(((await accessToken.json()) as { error: string }).error, 'unsupported_token_type');
    const badSecret = await revoke({ token: refreshToken }, { authorization: `Basic ${Buffer.from(`${app.clientId}:wrong`).toString('base64')}` });
    assert.equal(badSecret.status, 401);
    assert.equal(((await badSecret.json()) as { error: string }).error, 'invalid_client');
    const otherClient = await revoke({ token: refreshToken, client_id: secretless.clientId }, {});
    assert.equal(otherClient.status, 400);
    assert.equal(((await otherClient.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await revoke({})).status, 400);
    assert.equal((await fetch(`${app.base}/oauth2/revoke`)).status, 405);

    const refresh = () => postToken(app.base, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basic });
    assert.equal((await refresh()).status, 200);
    assert.equal((await revoke({ token: refreshToken })).status, 200);
    assert.equal((await refresh()).json.error, 'invalid_grant');
    assert.equal((await revoke({ token: refreshToken })).status, 200);
  });
});
