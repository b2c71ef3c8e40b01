import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolReplicaCommand,
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
