import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolReplicaCommand,
  DeleteUserPoolReplicaCommand,
  DescribeUserPoolCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolReplicasCommand,
  UpdateUserPoolReplicaCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { callAwsJson } from '../../src/cli/aws-json-call.ts';
import { TEST_ADMIN } from '../support/region.ts';
import { eventually, multiRegionKey, startDeployment, type Deployment } from '../support/deployment.ts';

const PRIMARY = 'us-east-1';
const SECONDARY = 'eu-west-1';
const PASSWORD = 'Correct-Horse-9';

let deployment: Deployment;
before(async () => {
  deployment = await startDeployment([PRIMARY, SECONDARY], {}, { [SECONDARY]: ['--workers', '2'] });
});
after(async () => {
  await deployment?.close();
});

test('a secondary with two workers follows the primary, serves from both workers and ships every sign-out', async () => {
  const east = deployment.region(PRIMARY).cognito;
  const west = deployment.region(SECONDARY).cognito;
  const keyArn = await multiRegionKey(deployment, PRIMARY, [SECONDARY]);
  const poolId = (await east.send(new CreateUserPoolCommand({ PoolName: 'workers', UserPoolTier: 'ESSENTIALS', IssuerConfiguration: { Type: 'UPDATED' }, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } }))).UserPool!.Id!;
  const clientId = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
  const users = Array.from({ length: 6 }, (_, index) => `worker-user-${index}`);
  for (const username of users) {
    await east.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
    await east.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
  }
  await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }));
  await eventually(async () => ((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: poolId }))).UserPoolReplicas?.[1]?.Status === 'INACTIVE' ? true : undefined), 'the copy');
  await east.send(new UpdateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY, Status: 'ACTIVE' }));

  // Changes keep flowing (the leader worker adopted the replica another worker may have started).
  await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'later' }));
  const digest = (region: string) => callAwsJson<{ Digest: string; Sequence: number }>({ endpoint: deployment.region(region).url, region, service: 'cognito-idp', target: 'AWSCognitoIdentityProviderService.GetUserPoolDigest', input: { UserPoolId: poolId }, credentials: TEST_ADMIN });
  await eventually(async () => {
    const [a, b] = await Promise.all([digest(PRIMARY), digest(SECONDARY)]);
    return a.Sequence === b.Sequence && a.Digest === b.Digest ? true : undefined;
  }, 'equal digests');

  // Sign-outs at the secondary land in whichever worker takes the request; all reach the primary.
  const sessions = [];
  for (const username of users) {
    const atEast = (await east.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }))).AuthenticationResult!;
    const atWest = (await west.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }))).AuthenticationResult!;
    sessions.push({ atEast, atWest });
  }
  await Promise.all(sessions.map(({ atWest }) => west.send(new GlobalSignOutCommand({ AccessToken: atWest.AccessToken! }))));
  for (const { atEast } of sessions) {
    await eventually(async () => {
      try {
        await east.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: atEast.RefreshToken! } }));
        return undefined;
      } catch (error) {
        assert.equal((error as Error).name, 'NotAuthorizedException');
        return true;
      }
    }, 'the sign-out to reach the primary');
  }
});

/**
 * A GET on a connection of its own: the workers of `serve --workers` take connections in turn, so
 * repeated calls reach each worker, the leader among them (a pooled keep-alive connection would
 * keep asking the same one).
 */
function getOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    }).on('error', reject);
  });
}

test("a replica deleted while the leader worker's puller follows it stays deleted", async () => {
  const east = deployment.region(PRIMARY).cognito;
  const west = deployment.region(SECONDARY).cognito;
  const keyArn = await multiRegionKey(deployment, PRIMARY, [SECONDARY]);
  const poolId = (await east.send(new CreateUserPoolCommand({ PoolName: 'deleted-replica', UserPoolTier: 'ESSENTIALS', IssuerConfiguration: { Type: 'UPDATED' }, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } }))).UserPool!.Id!;
  await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'before' }));
  await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }));
  await eventually(async () => ((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: poolId }))).UserPoolReplicas?.[1]?.Status === 'INACTIVE' ? true : undefined), 'the copy');

  // A change after the copy reaches the secondary only through the leader worker's puller: once
  // the digests match, that puller follows the pool.
  await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'followed' }));
  const digest = (region: string) => callAwsJson<{ Digest: string; Sequence: number }>({ endpoint: deployment.region(region).url, region, service: 'cognito-idp', target: 'AWSCognitoIdentityProviderService.GetUserPoolDigest', input: { UserPoolId: poolId }, credentials: TEST_ADMIN });
  await eventually(async () => {
    const [a, b] = await Promise.all([digest(PRIMARY), digest(SECONDARY)]);
    return a.Sequence === b.Sequence && a.Digest === b.Digest ? true : undefined;
  }, 'the leader to follow the replica');

  // Either worker may take the deletion; if the other one does, the leader's puller is still
  // following. A marker write wakes its long-poll, and applying it finds the pool gone.
  await east.send(new DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }));
  await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'marker-1' }));
  const stopped = new RegExp(`^meridian_replica_pullers_stopped_total\\{pool="${poolId}",region="${SECONDARY}"\\} 1$`, 'm');
  await eventually(async () => (stopped.test(await getOnNewConnection(`${deployment.region(SECONDARY).url}/metrics`)) ? true : undefined), "the leader worker to stop the deleted replica's puller");

  // It stopped without copying the pool back (a copy would have kept it following), no puller
  // follows the pool any more, and the adoption pass adopts only pools in the store: the pool is
  // gone from the store the workers share, and what the primary writes now reaches nobody.
  await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'marker-2' }));
  await assert.rejects(west.send(new DescribeUserPoolCommand({ UserPoolId: poolId })), { name: 'ResourceNotFoundException' });
  assert.deepEqual((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: poolId }))).UserPoolReplicas?.map((replica) => replica.RegionName), [PRIMARY]);
});
