import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdminDisableUserCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startTestRegion, TestClock, type TestRegion } from '../support/region.ts';
import { launchChromium, saveScreenshot, submitLogin } from './support/browser.ts';
import { startCallbackServer, type CallbackServer } from './support/callback-server.ts';
import { startAll, stopStarted } from './support/start-all.ts';
import { authorizeUrl, CookieJar, getManual, pkcePair, postForm, readForm } from './support/hosted-login.ts';
import { createOAuthPool, createUser, createWebClient, PASSWORD, type OAuthPool } from './support/oauth-pool.ts';

/**
 * The hosted pages in a real headless Chromium: plain accessible HTML forms that work without
 * JavaScript, the user-pool API's rules behind every form, CSRF protection on every POST.
 * Each test saves a screenshot to test-output/screenshots/.
 */
describe('hosted pages in Chromium', () => {
  let region: TestRegion;
  let browser: Browser;
  let relyingParty: CallbackServer;
  // A still clock: lockouts last until a test moves it; nothing depends on the machine's speed.
  const clock = new TestClock();
  let serial = 0;

  before(async () => {
    [region, browser, relyingParty] = await startAll<[TestRegion, Browser, CallbackServer]>([startTestRegion({}, { now: clock.now }), launchChromium(), startCallbackServer()], stopStarted);
  });
  after(async () => {
    await browser?.close();
    await region?.stop();
    await relyingParty?.close();
  });

  interface Site extends OAuthPool {
    clientId: string;
    /** /oauth2/authorize for this client, with PKCE and a state. */
    start: string;
    state: string;
  }

  async function site(options: { secret?: boolean } = {}): Promise<Site> {
    const pool = await createOAuthPool(region);
    const { clientId } = await createWebClient(region, pool.poolId, relyingParty, { GenerateSecret: options.secret ?? false });
    serial += 1;
    const state = `state-${serial}`;
    const start = authorizeUrl(pool.base, {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: relyingParty.callbackUrl,
      scope: 'openid email',
      state,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    return { ...pool, clientId, start, state };
  }

  /** Runs `work` in a fresh browser context (its own cookies), JavaScript off unless asked. */
  async function inBrowser(work: (page: Page, context: BrowserContext) => Promise<void>, options: { javaScript?: boolean } = {}): Promise<void> {
    const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? false });
    try {
      await work(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  /** Clicks a submit button and returns the response to the form's POST. */
  async function submit(page: Page, button: string): Promise<Response> {
    const [response] = await Promise.all([page.waitForResponse((candidate) => candidate.request().method() === 'POST'), page.getByRole('button', { name: button }).click()]);
    await page.waitForLoadState();
    return response;
  }

  async function expectCallback(site: Site): Promise<URL> {
    const callback = await relyingParty.next('/callback');
    assert.equal(callback.searchParams.get('state'), site.state);
    assert.ok(callback.searchParams.get('code'), callback.toString());
    return callback;
  }

  function latestCode(poolId: string, purpose: string): string {
    const message = region.region.outbox.list({ poolId }).filter((candidate) => candidate.purpose === purpose).at(-1);
    assert.ok(message?.code, `no ${purpose} code in the outbox`);
    return message.code;
  }

  async function fieldError(page: Page, label: string, options: { exact?: boolean } = { exact: true }): Promise<string> {
    const input = page.getByLabel(label, options);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    const described = (await input.getAttribute('aria-describedby')) ?? '';
    const errorId = described.split(' ').find((id) => id.endsWith('-error'));
    assert.ok(errorId, `${label} has no error in aria-describedby`);
    return page.locator(`#${errorId}`).innerText();
  }

  test('sign in: an accessible plain-HTML form, working without JavaScript, lands at the callback', async () => {
    const app = await site();
    await createUser(region, app.poolId, 'ada');
    await inBrowser(async (page, context) => {
      const response = await page.goto(app.start);
      assert.equal(response?.status(), 200);
      const headers = response!.headers();
      assert.match(headers['content-security-policy']!, /default-src 'none'; style-src 'self' 'unsafe-inline'/);
      assert.match(headers['content-security-policy']!, new RegExp(`form-action 'self' ${new URL(relyingParty.callbackUrl).origin}`));
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(await page.locator('script').count(), 0);
      assert.equal(await page.locator('[src], link[href]').count(), 0);
      assert.equal(await page.getByLabel('Username').getAttribute('autocomplete'), 'username');
      assert.equal(await page.getByLabel('Password').getAttribute('autocomplete'), 'current-password');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
      await saveScreenshot(page, 'login');

      await page.getByLabel('Username').fill('ada');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectCallback(app);
      const cookies = await context.cookies(app.base);
      const session = cookies.find((cookie) => cookie.name === 'meridian-session');
      assert.ok(session);
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      assert.equal(session.path, `/${app.prefix}`);
      await saveScreenshot(page, 'login-callback');
    });
  });

  test('a wrong password is shown next to the password field; lockout and disabled users answer as the API', async () => {
    const app = await site();
    await createUser(region, app.poolId, 'grace');
    await createUser(region, app.poolId, 'off');
    await region.cognito.send(new AdminDisableUserCommand({ UserPoolId: app.poolId, Username: 'off' }));
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await page.getByLabel('Username').fill('grace');
      await page.getByLabel('Password').fill('not-the-password');
      const wrong = await submit(page, 'Sign in');
      assert.equal(wrong.status(), 400);
      assert.equal(await fieldError(page, 'Password'), 'Incorrect username or password.');
      assert.equal(await page.getByLabel('Username').inputValue(), 'grace');
      assert.equal(await page.getByLabel('Password').inputValue(), '');
      await saveScreenshot(page, 'login-wrong-password');

      // Five failures lock the user out; then even the right password is refused (still clock).
      for (let attempt = 2; attempt <= 5; attempt += 1) {
        await page.getByLabel('Password').fill(`wrong-${attempt}`);
        await submit(page, 'Sign in');
      }
      await page.getByLabel('Password').fill(PASSWORD);
      await submit(page, 'Sign in');
      assert.equal(await fieldError(page, 'Password'), 'Password attempts exceeded');
      await saveScreenshot(page, 'login-locked-out');

      await page.getByLabel('Username').fill('off');
      await page.getByLabel('Password').fill(PASSWORD);
      await submit(page, 'Sign in');
      assert.equal(await fieldError(page, 'Password'), 'User is disabled.');
      await saveScreenshot(page, 'login-disabled-user');
    });
    assert.equal(relyingParty.received.filter((url) => url.searchParams.get('state') === app.state).length, 0);
  });

  test('sign-up with the code from the outbox, then sign in', async () => {
    const app = await site({ secret: true });
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await page.getByRole('link', { name: 'Need an account? Sign up' }).click();
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign up');
      assert.equal(await page.getByLabel('Password').getAttribute('autocomplete'), 'new-password');
      await page.getByLabel('Username').fill('newcomer');
      // A valid address to the browser's own check, not to Cognito's: the error comes back next to the field.
      await page.getByLabel('Email').fill('newcomer@example');
      await page.getByLabel('Password').fill(PASSWORD);
      await submit(page, 'Sign up');
      assert.equal(await fieldError(page, 'Email'), 'Invalid email address format.');
      assert.equal(await page.getByLabel('Username').inputValue(), 'newcomer', 'what was typed stays');
      await page.getByLabel('Email').fill('newcomer@example.com');
      await page.getByLabel('Password').fill('short');
      await submit(page, 'Sign up');
      assert.match(await fieldError(page, 'Password'), /^Password did not conform with policy/);
      await saveScreenshot(page, 'sign-up-weak-password');
      await page.getByLabel('Password').fill(PASSWORD);
      await submit(page, 'Sign up');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Confirm your account');
      assert.match(await page.getByRole('status').innerText(), /We sent a code to n\*\*\*@e\*\*\*/);
      assert.equal(await page.getByLabel('Confirmation code').getAttribute('autocomplete'), 'one-time-code');
      await saveScreenshot(page, 'sign-up-confirm');

      await page.getByLabel('Confirmation code').fill('000000');
      await submit(page, 'Confirm account');
      assert.match(await fieldError(page, 'Confirmation code'), /Invalid verification code/);
      await page.getByLabel('Confirmation code').fill(latestCode(app.poolId, 'sign-up'));
      await submit(page, 'Confirm account');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
      assert.match(await page.getByRole('status').innerText(), /Your account is confirmed/);
      assert.equal(await page.getByLabel('Username').inputValue(), 'newcomer');
      await saveScreenshot(page, 'sign-up-confirmed');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectCallback(app);
    });
  });

  test('an unconfirmed user with the right password gets a new code and the confirmation page', async () => {
    const app = await site();
    await region.cognitoWith({ accessKeyId: 'public', secretAccessKey: 'public' }).send(
      new SignUpCommand({ ClientId: app.clientId, Username: 'late', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'late@example.com' }] }),
    );
    const first = latestCode(app.poolId, 'sign-up');
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await submitLogin(page, 'late', PASSWORD);
      await page.waitForLoadState();
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Confirm your account');
      assert.match(await page.getByRole('status').innerText(), /not confirmed yet/);
      const second = latestCode(app.poolId, 'sign-up');
      assert.notEqual(second, first);
      await saveScreenshot(page, 'login-unconfirmed');
      await page.getByLabel('Confirmation code').fill(second);
      await submit(page, 'Confirm account');
      await submitLogin(page, 'late', PASSWORD);
      await expectCallback(app);
    });
  });

  test('forgot password: the code from the outbox sets a new password', async () => {
    const app = await site();
    await createUser(region, app.poolId, 'lin');
    const newPassword = 'Another-Good-Pass-9';
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByLabel('Username').fill('lin');
      await saveScreenshot(page, 'forgot-password');
      await submit(page, 'Send code');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Choose a new password');
      assert.match(await page.getByRole('status').innerText(), /We sent a code to l\*\*\*@e\*\*\*/);
      await page.getByLabel('Code').fill(latestCode(app.poolId, 'forgot-password'));
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('Confirm new password').fill('Something-Else-1');
      await submit(page, 'Reset password');
      assert.equal(await fieldError(page, 'Confirm new password'), 'The passwords do not match.');
      await page.getByLabel('Code').fill(latestCode(app.poolId, 'forgot-password'));
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('Confirm new password').fill(newPassword);
      await saveScreenshot(page, 'confirm-forgot-password');
      await submit(page, 'Reset password');
      assert.match(await page.getByRole('status').innerText(), /Your password has been reset/);
      await page.getByLabel('Password').fill(PASSWORD);
      await submit(page, 'Sign in');
      assert.equal(await fieldError(page, 'Password'), 'Incorrect username or password.');
      await submitLogin(page, 'lin', newPassword);
      await expectCallback(app);
    });
  });

  test('new password required: a temporary password leads to the new-password page, then to the callback', async () => {
    const app = await site();
    await createUser(region, app.poolId, 'temp', { permanent: false, password: 'Temporary-Pass-1' });
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await submitLogin(page, 'temp', 'Temporary-Pass-1');
      await page.waitForLoadState();
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Change your password');
      assert.equal(new URL(page.url()).pathname, `/${app.prefix}/login`);
      await page.getByLabel('New password', { exact: true }).fill('weak');
      await page.getByLabel('Confirm new password').fill('weak');
      await submit(page, 'Change password and sign in');
      assert.match(await fieldError(page, 'New password', { exact: true }), /^Password did not conform with policy/);
      await saveScreenshot(page, 'new-password-required');
      await page.getByLabel('New password', { exact: true }).fill('Permanent-Pass-42');
      await page.getByLabel('Confirm new password').fill('Permanent-Pass-42');
      await page.getByRole('button', { name: 'Change password and sign in' }).click();
      await expectCallback(app);
    });
    // The new password is permanent: a fresh browser signs in with it directly.
    await inBrowser(async (page) => {
      await page.goto(app.start);
      await submitLogin(page, 'temp', 'Permanent-Pass-42');
      await expectCallback(app);
    });
  });

  test('CSRF: a POST without the token, with a wrong one, or without the cookie is refused with 403', async () => {
    const app = await site();
    await createUser(region, app.poolId, 'csrf');
    await inBrowser(
      async (page) => {
        await page.goto(app.start);
        const token = page.locator('input[name="csrf_token"]');
        assert.match((await token.getAttribute('value')) ?? '', /^[0-9a-f]{64}$/);
        // The tests compile without the DOM library: the element is typed by what is used of it.
        await token.evaluate((input, forged) => {
          (input as unknown as { value: string }).value = forged;
        }, 'f'.repeat(64));
        await page.getByLabel('Username').fill('csrf');
        await page.getByLabel('Password').fill(PASSWORD);
        const tampered = await submit(page, 'Sign in');
        assert.equal(tampered.status(), 403);
        assert.match(await page.getByRole('alert').innerText(), /did not come from this page/);
        await saveScreenshot(page, 'csrf-refused');

        await page.locator('input[name="csrf_token"]').evaluate((input) => (input as unknown as { remove(): void }).remove());
        await page.getByLabel('Username').fill('csrf');
        await page.getByLabel('Password').fill(PASSWORD);
        assert.equal((await submit(page, 'Sign in')).status(), 403);
      },
      { javaScript: true },
    );
    // A valid token from one browser is useless without that browser's cookie (another site's POST).
    const jar = new CookieJar();
    const login = await getManual((await getManual(app.start, jar)).headers.get('location')!, jar);
    const form = readForm(await login.text());
    const foreign = await postForm(app.base, form.action, { ...form.hidden, username: 'csrf', password: PASSWORD }, new CookieJar());
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('location'), null);
    const own = await postForm(app.base, form.action, { ...form.hidden, username: 'csrf', password: PASSWORD }, jar);
    assert.equal(own.status, 302);
    assert.equal(relyingParty.received.filter((url) => url.searchParams.get('state') === app.state).length, 0);
  });
});
