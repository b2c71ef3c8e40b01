import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { AdminConfirmSignUpCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { startTestRegion, type TestRegion } from '../../support/region.ts';
import { launchChromium } from '../../oauth/support/browser.ts';
import { startCallbackServer, type CallbackServer } from '../../oauth/support/callback-server.ts';
import { startAll, stopStarted } from '../../oauth/support/start-all.ts';

/**
 * amazon-cognito-identity-js (Amplify's Cognito client), unchanged, bundled for the browser and run
 * in a page of another origin in headless Chromium, as single-page apps use it: it calls the
 * Cognito API with fetch, cross-origin, so every call is a CORS request with a preflight (it
 * sends X-Amz-Target and X-Amz-User-Agent), and its SignUp sends `"ValidationData": null` when the
 * app passes none, as its README's example does.
 */
describe('amazon-cognito-identity-js in a browser page on another origin', () => {
  let region: TestRegion;
  let browser: Browser;
  let app: CallbackServer;
  let bundle: string;

  before(async () => {
    [region, browser, app] = await startAll<[TestRegion, Browser, CallbackServer]>([startTestRegion(), launchChromium(), startCallbackServer()], stopStarted);
    const built = await build({
      stdin: { contents: "import * as Cognito from 'amazon-cognito-identity-js'; window.Cognito = Cognito;", resolveDir: process.cwd() },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      define: { global: 'window' },
      logLevel: 'error',
      nodePaths: [createRequire(import.meta.url).resolve('amazon-cognito-identity-js').replace(/amazon-cognito-identity-js.*$/, '')],
    });
    bundle = built.outputFiles[0]!.text;
  });
  after(async () => {
    await browser?.close();
    await region?.stop();
    await app?.close();
  });

  test('sign-up with ValidationData null, then an SRP sign-in, from the page', async () => {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'spa' }))).UserPool!.Id!;
    const clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'spa' }))).UserPoolClient!.ClientId!;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // The app's origin (http://localhost:<port>) is not the region's (http://127.0.0.1:<port>).
      await page.goto(`${new URL(app.callbackUrl).origin}/spa`);
      await page.addScriptTag({ content: bundle });
      const pool = { UserPoolId: poolId, ClientId: clientId, endpoint: region.url };

      // The page's code as text: compiled with the test, callbacks would call a helper the page lacks.
      const signedUp = (await page.evaluate(`new Promise((resolve) => {
        new Cognito.CognitoUserPool(${JSON.stringify(pool)}).signUp('spa-user', 'Spa-Passw0rd!', [], null, (error, result) =>
          resolve(error ? { error: error.code + ': ' + error.message } : { confirmed: result.userConfirmed, sub: result.userSub }));
      })`)) as { confirmed: boolean; sub: string } | { error: string };
      assert.ok(!('error' in signedUp), JSON.stringify(signedUp));
      assert.equal(signedUp.confirmed, false);
      await region.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'spa-user' }));

      const signedIn = await page.evaluate(`new Promise((resolve) => {
        const user = new Cognito.CognitoUser({ Username: 'spa-user', Pool: new Cognito.CognitoUserPool(${JSON.stringify(pool)}) });
        user.authenticateUser(new Cognito.AuthenticationDetails({ Username: 'spa-user', Password: 'Spa-Passw0rd!' }), {
          onSuccess: (session) => resolve({ username: session.getIdToken().decodePayload()['cognito:username'] }),
          onFailure: (error) => resolve({ error: error.code + ': ' + error.message }),
        });
      })`);
      assert.deepEqual(signedIn, { username: 'spa-user' });
    } finally {
      await context.close();
    }
  });
});
