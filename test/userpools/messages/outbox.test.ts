import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { fetchOutbox } from '../../../src/cli/outbox-command.ts';
import { parseRegionSettings } from '../../../src/config/settings.ts';
import { startRegion } from '../../../src/regions/region-server.ts';
import { startTestRegion, TEST_ADMIN, type TestRegion } from '../../support/region.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../../bin/meridian.js', import.meta.url));

/** Runs `meridian outbox ...` as its own process, asynchronously (the region runs in this one). */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { MERIDIAN_ADMIN_ACCESS_KEY_ID: _id, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: _secret, ...inherited } = process.env;
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'outbox', ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function signUpUser(cognito: CognitoIdentityProviderClient, username: string, pool: { UsernameAttributes?: Array<'email'> } = {}) {
  const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'outbox', AutoVerifiedAttributes: ['email'], ...pool }))).UserPool!.Id!;
  const clientId = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app' }))).UserPoolClient!.ClientId!;
  const attributes = pool.UsernameAttributes ? [] : [{ Name: 'email', Value: `${username}@example.com` }];
  await cognito.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: 'Outbox-Passw0rd!', UserAttributes: attributes }));
  return { poolId, clientId };
}

describe('the readable outbox: admin endpoint and `meridian outbox`', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  const endpoint = () => ({ endpoint: region.url, region: 'us-east-1' });
  const adminEnv = { MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey };

  test('GET /admin/outbox answers signed requests with the kept messages', async () => {
    const { poolId } = await signUpUser(region.cognito, 'alice');
    const entries = await fetchOutbox({ ...endpoint(), pool: poolId, username: 'alice' }, adminEnv);
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.deepEqual(Object.keys(entry!).sort(), ['at', 'channel', 'code', 'destination', 'poolId', 'purpose', 'username']);
    assert.equal(entry!.poolId, poolId);
    assert.equal(entry!.username, 'alice');
    assert.equal(entry!.channel, 'EMAIL');
    assert.equal(entry!.destination, 'alice@example.com');
    assert.equal(entry!.purpose, 'sign-up');
    assert.match(entry!.code!, /^\d{6}$/);
    assert.equal(entry!.code, region.region.outbox.list({ poolId, username: 'alice' })[0]?.code);
    assert.deepEqual(await fetchOutbox({ ...endpoint(), pool: poolId, username: 'someone-else' }, adminEnv), []);
    assert.equal((await fetchOutbox({ ...endpoint(), pool: poolId }, adminEnv)).length, 1);
  });

  test('username may be given as the email in pools signing in by email', async () => {
    const { poolId } = await signUpUser(region.cognito, 'bea@example.com', { UsernameAttributes: ['email'] });
    const [entry] = await fetchOutbox({ ...endpoint(), pool: poolId, username: 'bea@example.com' }, adminEnv);
    assert.match(entry!.username, /^[0-9a-f-]{36}$/);
    assert.equal(entry!.destination, 'bea@example.com');
  });

  test('unsigned, unknown-key and badly signed requests are refused; bad pools are 400/404', async () => {
    const { poolId } = await signUpUser(region.cognito, 'carl');
    const unsigned = await fetch(`${region.url}/admin/outbox?poolId=${poolId}`);
    assert.equal(unsigned.status, 403);
    const body = (await unsigned.json()) as { __type: string };
    assert.equal(body.__type, 'UnrecognizedClientException');
    assert.doesNotMatch(JSON.stringify(body), /\d{6}/);

    await assert.rejects(
      fetchOutbox({ ...endpoint(), pool: poolId }, { MERIDIAN_ADMIN_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey }),
      /403 UnrecognizedClientException/,
    );
    await assert.rejects(
      fetchOutbox({ ...endpoint(), pool: poolId }, { MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: 'wrong-secret-wrong-secret-wrong' }),
      /403 InvalidSignatureException/,
    );

    // A valid signature for one pool does not stretch to another query.
    const url = new URL(region.url);
    const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256, uriEscapePath: true });
    const signed = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/admin/outbox', query: { poolId: 'us-east-1_other0000' }, headers: { host: url.host } }));
    const { host: _host, ...headers } = signed.headers as Record<string, string>;
    const tampered = await fetch(`${region.url}/admin/outbox?poolId=${poolId}`, { headers });
    assert.equal(tampered.status, 403);
    // Nor to the same query with the wanted pool put first (routes read the first value).
    const repeated = await fetch(`${region.url}/admin/outbox?poolId=${poolId}&poolId=us-east-1_other0000`, { headers });
    assert.equal(repeated.status, 403);

    const kmsScoped = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'kms', sha256: Sha256, uriEscapePath: true });
    const wrongService = await kmsScoped.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/admin/outbox', query: { poolId }, headers: { host: url.host } }));
    const { host: _host2, ...wrongServiceHeaders } = wrongService.headers as Record<string, string>;
    assert.equal((await fetch(`${region.url}/admin/outbox?poolId=${poolId}`, { headers: wrongServiceHeaders })).status, 403);
    // Nor does one for another region of the deployment (regions may share the admin key).
    await assert.rejects(fetchOutbox({ endpoint: region.url, region: 'eu-west-1', pool: poolId }, adminEnv), /403 InvalidSignatureException/);

    await assert.rejects(fetchOutbox({ ...endpoint(), pool: 'us-east-1_missing00' }, adminEnv), /404 ResourceNotFoundException/);
    await assert.rejects(fetchOutbox({ ...endpoint(), pool: 'not a pool' }, adminEnv), /400 InvalidParameterException/);
  });

  test('`meridian outbox` prints the code; without credentials it fails', async () => {
    const { poolId } = await signUpUser(region.cognito, 'dora');
    const code = (await region.region.outbox.read({ poolId, username: 'dora' }))[0]!.code!;
    const printed = await runCli(['--endpoint', region.url, '--pool', poolId, '--username', 'dora'], adminEnv);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, new RegExp(`EMAIL\\s+dora@example\\.com\\s+sign-up\\s+dora\\s+code=${code}`));

    const json = await runCli(['--endpoint', region.url, '--pool', poolId, '--json'], adminEnv);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as Array<{ code: string }>)[0]?.code, code);

    const refused = await runCli(['--endpoint', region.url, '--pool', poolId], {});
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no admin credentials/);
  });
});

describe('the outbox is encrypted region-local state', () => {
  test('it survives a restart and no code is in the data directory in plaintext', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-outbox-'));
    const settings = parseRegionSettings({
      region: 'us-east-1',
      port: 0,
      dataDir,
      adminAccessKeyId: TEST_ADMIN.accessKeyId,
      adminSecretAccessKey: TEST_ADMIN.secretAccessKey,
      logLevel: 'silent',
    });
    try {
      let running = await startRegion(settings);
      let cognito = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_ADMIN, maxAttempts: 1 });
      const { poolId } = await signUpUser(cognito, 'eve');
      const [sent] = await running.outbox.read({ poolId, username: 'eve' });
      cognito.destroy();
      await running.close();

      for (const file of readdirSync(dataDir)) {
        const bytes = readFileSync(join(dataDir, file));
        assert.equal(bytes.includes(Buffer.from(`"code":"${sent!.code}"`)), false, `${file} holds no outbox entry in plaintext`);
        assert.equal(bytes.includes(Buffer.from('eve@example.com')), false, `${file} holds no address in plaintext`);
      }

      running = await startRegion(settings);
      cognito = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_ADMIN, maxAttempts: 1 });
      try {
        assert.deepEqual(await running.outbox.read({ poolId, username: 'eve' }), [sent]);
        assert.equal(running.outbox.list({ poolId }).length, 0, 'the in-memory view is per process');
      } finally {
        cognito.destroy();
        await running.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
