import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateUserPoolCommand, DescribeUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { postAwsJson } from '../support/region.ts';
import { startRegionProcess, type RegionProcess } from '../support/region-process.ts';

/** SIGTERM must end the process well within a load balancer's deregistration delay. */
const PROMPT_EXIT_MS = 5_000;

/**
 * The operator contract of `meridian serve`, checked against a real process: it prints a line
 * with `listening` once it accepts requests, refuses unsigned admin calls with an AWS error
 * envelope, serves signed SDK calls, exits 0 promptly on SIGTERM, and keeps its pools and
 * generated admin credentials across restarts on the same data directory.
 */
describe('meridian serve operator contract', () => {
  const dataDirs: string[] = [];
  const processes: RegionProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-e2e-serve-'));
    dataDirs.push(dir);
    return dir;
  };
  const start = async (...options: Parameters<typeof startRegionProcess>) => {
    const started = await startRegionProcess(...options);
    processes.push(started);
    return started;
  };
  after(async () => {
    for (const running of processes) await running.stop('SIGKILL').catch(() => undefined);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('prints listening, refuses unsigned calls, serves signed ones, exits 0 on SIGTERM, keeps pools across restarts', async (t) => {
    const dataDir = newDataDir();
    const first = await start({ dataDir });
    assert.match(first.output(), new RegExp(`listening.*${first.url.replace(/[.]/g, '\\.')}`));

    const unsigned = await postAwsJson(first.url, 'AWSCognitoIdentityProviderService.ListUserPools', JSON.stringify({ MaxResults: 10 }));
    assert.ok(unsigned.status >= 400 && unsigned.status < 500, `status ${unsigned.status}: ${unsigned.text}`);
    assert.equal(unsigned.json?.__type, 'UnrecognizedClientException');
    assert.equal(typeof unsigned.json?.message, 'string');

    const { UserPool } = await first.cognito.send(new CreateUserPoolCommand({ PoolName: 'serve-contract' }));
    const poolId = UserPool!.Id!;
    const listed = await first.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    assert.ok(listed.UserPools!.some((pool) => pool.Id === poolId && pool.Name === 'serve-contract'));
    const before = (await first.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;

    const stopping = Date.now();
    assert.equal(await first.stop('SIGTERM'), 0, first.output());
    const elapsed = Date.now() - stopping;
    t.diagnostic(`exited ${elapsed} ms after SIGTERM`);
    assert.ok(elapsed < PROMPT_EXIT_MS, `SIGTERM took ${elapsed} ms`);

    const second = await start({ dataDir });
    const restarted = (await second.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.deepEqual(restarted, before);
    assert.equal(await second.stop('SIGTERM'), 0, second.output());
  });

  test('generated admin credentials are saved in the data directory and still accepted after a restart', async () => {
    const dataDir = newDataDir();
    const first = await start({ dataDir, credentials: 'from-data-dir' });
    const file = join(dataDir, 'admin-credentials.json');
    assert.ok(existsSync(file), first.output());
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    // Printed once, when generated, so the operator can configure the SDK.
    assert.match(first.output(), new RegExp(`AWS_ACCESS_KEY_ID=${saved.accessKeyId}`));

    const { UserPool } = await first.cognito.send(new CreateUserPoolCommand({ PoolName: 'generated-credentials' }));
    assert.equal(await first.stop('SIGTERM'), 0, first.output());

    const second = await start({ dataDir, credentials: 'from-data-dir' });
    assert.doesNotMatch(second.output(), /AWS_SECRET_ACCESS_KEY=/, 'credentials are generated only once');
    assert.deepEqual(second.credentials, saved);
    const described = await second.cognito.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id! }));
    assert.equal(described.UserPool?.Name, 'generated-credentials');
    const stranger = second.cognitoWith({ accessKeyId: 'AKIANOTTHEADMIN00000', secretAccessKey: 'not-the-admin-secret-000000000000' });
    await assert.rejects(stranger.send(new ListUserPoolsCommand({ MaxResults: 1 })), { name: 'UnrecognizedClientException' });
    assert.equal(await second.stop('SIGTERM'), 0, second.output());
  });
});
