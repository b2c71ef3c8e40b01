import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolReplicaCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  UpdateUserPoolReplicaCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { callAwsJson } from '../../src/cli/aws-json-call.ts';
import { TEST_ADMIN } from '../support/region.ts';
import { eventually, multiRegionKey, startDeployment, type Deployment } from '../support/deployment.ts';

const PRIMARY = 'us-east-1';
const SECONDARY = 'eu-west-1';
const PASSWORD = 'Correct-Horse-9';
const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
/** Enough records that a one-record-per-page copy is still running when the test kills it. */
const SEED_GROUPS = 600;

/**
 * Writes groups to the primary one after another until stopped, remembering each one the primary
 * acknowledged: after the faults, every acknowledged write must be in every region.
 */
class PrimaryWriter {
  readonly acknowledged: string[] = [];
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(private readonly client: CognitoIdentityProviderClient, private readonly poolId: string, private readonly prefix = 'load') {}

  start(): void {
    this.running = (async () => {
      for (let index = 0; !this.stopping; index += 1) {
        const name = `${this.prefix}-${index}`;
        try {
          await this.client.send(new CreateGroupCommand({ UserPoolId: this.poolId, GroupName: name }));
          this.acknowledged.push(name);
        } catch {
          // Not acknowledged: no promise was made about it.
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}

async function groupNames(client: CognitoIdentityProviderClient, poolId: string): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 60, NextToken: token }));
    for (const group of page.Groups ?? []) names.add(group.GroupName!);
    token = page.NextToken;
  } while (token);
  return names;
}

/** Runs `meridian replicas <args>` against the deployment's catalog; resolves with exit code and output. */
function meridianReplicas(deployment: Deployment, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'replicas', ...args, '--catalog', deployment.catalogFile], {
      env: { ...process.env, MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('replication faults with real region processes', () => {
  let deployment: Deployment;
  let poolId: string;
  let clientId: string;
  let writer: PrimaryWriter;
  const east = () => deployment.region(PRIMARY).cognito;
  const west = () => deployment.region(SECONDARY).cognito;
  const progressAtWest = async () => {
    const listed = await callAwsJson<{ UserPoolReplicas: Array<{ RegionName: string; Status: string; Progress?: { CopiedRecords: number } }> }>({
      endpoint: deployment.region(SECONDARY).url,
      region: SECONDARY,
      service: 'cognito-idp',
      target: 'AWSCognitoIdentityProviderService.ListUserPoolReplicas',
      input: { UserPoolId: poolId },
      credentials: TEST_ADMIN,
    });
    return listed.UserPoolReplicas.find((replica) => replica.RegionName === SECONDARY)!;
  };

  before(async () => {
    // One record per snapshot page: the initial copy takes long enough to be interrupted.
    deployment = await startDeployment([PRIMARY, SECONDARY], { MERIDIAN_REPLICATION_PAGE_SIZE: '1' });
    const keyArn = await multiRegionKey(deployment, PRIMARY, [SECONDARY]);
    poolId = (await east().send(new CreateUserPoolCommand({ PoolName: 'faults', UserPoolTier: 'PLUS', IssuerConfiguration: { Type: 'UPDATED' }, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } }))).UserPool!.Id!;
    clientId = (await east().send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    await east().send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'frank', MessageAction: 'SUPPRESS' }));
    await east().send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'frank', Password: PASSWORD, Permanent: true }));
    for (let index = 0; index < SEED_GROUPS; index += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, offset) => east().send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: `seed-${index + offset}` }))));
    }
    writer = new PrimaryWriter(east(), poolId);
  });
  after(async () => {
    await writer?.stop();
    await deployment?.close();
  });

  test('kill -9 of the secondary during CREATING: the copy resumes after a restart and the digests match', async () => {
    writer.start();
    await east().send(new CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }));
    const before = await eventually(async () => {
      const replica = await progressAtWest();
      return replica.Status === 'CREATING' && (replica.Progress?.CopiedRecords ?? 0) >= 50 ? replica : undefined;
    }, 'the copy to get going');
    assert.equal(before.Status, 'CREATING');
    await deployment.region(SECONDARY).kill9();

    await deployment.start(SECONDARY);
    const resumed = await progressAtWest();
    // The copy continues from what the store saved, not from the start.
    assert.ok((resumed.Progress?.CopiedRecords ?? 0) >= before.Progress!.CopiedRecords, JSON.stringify(resumed));
    await eventually(async () => ((await progressAtWest()).Status === 'INACTIVE' ? true : undefined), 'the resumed copy to complete', 120_000);
  });

  test('replication cut and healed: the secondary catches up with everything the primary acknowledged', async () => {
    const secondary = deployment.region(SECONDARY);
    process.kill(secondary.pid, 'SIGSTOP');
    try {
      const cutAt = writer.acknowledged.length;
      await eventually(async () => (writer.acknowledged.length >= cutAt + 30 ? true : undefined), 'writes while the secondary is cut off');
    } finally {
      process.kill(secondary.pid, 'SIGCONT');
    }
    await writer.stop();
    const verified = await meridianReplicas(deployment, ['verify', poolId, '--timeout', '60']);
    assert.equal(verified.code, 0, verified.output);
    assert.match(verified.output, /verified: every region holds the same records/);
    const atWest = await groupNames(west(), poolId);
    const atEast = await groupNames(east(), poolId);
    for (const name of writer.acknowledged) {
      assert.ok(atEast.has(name), `acknowledged ${name} is in the primary`);
      assert.ok(atWest.has(name), `acknowledged ${name} reached the secondary`);
    }
    assert.ok(writer.acknowledged.length > 30);

    const status = await meridianReplicas(deployment, ['status', poolId]);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, new RegExp(`${poolId}  ${SECONDARY}  SECONDARY  INACTIVE  copied \\d+/\\d+ \\(100%\\)`));

    const metrics = await (await fetch(`${deployment.region(SECONDARY).url}/metrics`)).text();
    assert.match(metrics, new RegExp(`meridian_replica_status\\{pool="${poolId}",status="INACTIVE",region="${SECONDARY}"\\} 1`));
    assert.match(metrics, new RegExp(`meridian_replica_applied_sequence\\{pool="${poolId}",region="${SECONDARY}"\\} [1-9]\\d*`));
  });

  test('kill -9 of the primary: the ACTIVE secondary keeps signing users in and refreshing', async () => {
    await west().send(new UpdateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY, Status: 'ACTIVE' }));
    const beforeFailure = (await east().send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'frank', PASSWORD } }))).AuthenticationResult!;
    // The primary dies under write load: what it acknowledged must survive and replicate.
    const underLoad = new PrimaryWriter(east(), poolId, 'crash');
    underLoad.start();
    await eventually(async () => (underLoad.acknowledged.length >= 20 ? true : undefined), 'writes before the crash');
    await deployment.region(PRIMARY).kill9();
    await underLoad.stop();

    const signedIn = (await west().send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'frank', PASSWORD } }))).AuthenticationResult!;
    assert.equal((await west().send(new GetUserCommand({ AccessToken: signedIn.AccessToken! }))).Username, 'frank');
    const refreshed = await west().send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: beforeFailure.RefreshToken! } }));
    assert.ok(refreshed.AuthenticationResult?.AccessToken, 'a refresh token from the primary refreshes at the secondary');
    assert.equal((await west().send(new GetUserCommand({ AccessToken: beforeFailure.AccessToken! }))).Username, 'frank', "the primary's access token is valid at the secondary");

    const checklist = await meridianReplicas(deployment, ['checklist', poolId]);
    assert.equal(checklist.code, 0, checklist.output);
    assert.match(checklist.output, /UNREACHABLE|unknown/);

    // The primary restarted by hand resumes serving the feed; the secondary catches up on its own.
    await deployment.start(PRIMARY);
    await east().send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'after-restart' }));
    const verified = await meridianReplicas(deployment, ['verify', poolId, '--timeout', '60']);
    assert.equal(verified.code, 0, verified.output);
    const [atEast, atWest] = await Promise.all([groupNames(east(), poolId), groupNames(west(), poolId)]);
    assert.ok(atWest.has('after-restart'));
    for (const name of underLoad.acknowledged) {
      assert.ok(atEast.has(name), `${name}, acknowledged before the crash, survived it`);
      assert.ok(atWest.has(name), `${name} reached the secondary`);
    }
  });
});
