import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CreateGroupCommand,
  CreateResourceServerCommand,
  CreateUserPoolDomainCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolReplicaCommand,
  DeleteUserCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolReplicaCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolReplicasCommand,
  ListUsersCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  UpdateUserPoolCommand,
  UpdateUserPoolReplicaCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { callAwsJson } from '../../src/cli/aws-json-call.ts';
import { signedFetch } from '../../src/wire/signed-fetch.ts';
import { authorizeUrl, pkcePair, postToken, signInOverHttp } from '../oauth/support/hosted-login.ts';
import { TEST_ADMIN } from '../support/region.ts';
import { eventually, multiRegionKey, multiRegionPoolKeyPolicy, startDeployment, type Deployment } from '../support/deployment.ts';

const PRIMARY = 'us-east-1';
const SECONDARY = 'eu-west-1';
const PASSWORD = 'Correct-Horse-9';

/** A signed Cognito JSON 1.1 call returning the raw body (extension actions and extra fields). */
async function callExtension(url: string, region: string, action: string, input: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const body = await callAwsJson<Record<string, any>>({ endpoint: url, region, service: 'cognito-idp', target: `AWSCognitoIdentityProviderService.${action}`, input, credentials: TEST_ADMIN });
  return { status: 200, body };
}

describe('user pool replicas across two real region processes', () => {
  let deployment: Deployment;
  let east: CognitoIdentityProviderClient;
  let west: CognitoIdentityProviderClient;
  let keyArn: string;
  let poolId: string;
  let clientId: string;

  before(async () => {
    deployment = await startDeployment([PRIMARY, SECONDARY]);
    east = deployment.region(PRIMARY).cognito;
    west = deployment.region(SECONDARY).cognito;
    keyArn = await multiRegionKey(deployment, PRIMARY, [SECONDARY]);
  });
  after(async () => {
    await deployment?.close();
  });

  const newPool = async (settings: Record<string, unknown>) =>
    (await east.send(new CreateUserPoolCommand({ PoolName: `replicated-${Math.random().toString(36).slice(2, 8)}`, ...settings }))).UserPool!.Id!;
  const ready = { UserPoolTier: 'ESSENTIALS' as const, IssuerConfiguration: { Type: 'UPDATED' as const } };

  test('every missing prerequisite gets its own error', async () => {
    const customerKey = () => ({ KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY' as const, KmsKeyArn: keyArn } });
    const lite = await newPool({ ...ready, ...customerKey(), UserPoolTier: 'LITE' });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: lite, RegionName: SECONDARY })), { name: 'FeatureUnavailableInTierException' });

    const serviceKey = await newPool({ ...ready });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: serviceKey, RegionName: SECONDARY })), (error: Error) => {
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, /customer-managed multi-Region KMS key/);
      return true;
    });

    const singleRegionKey = (await deployment.kms(PRIMARY).send(new CreateKeyCommand({ Policy: multiRegionPoolKeyPolicy(PRIMARY) }))).KeyMetadata!.Arn!;
    const notMultiRegion = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: singleRegionKey } });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: notMultiRegion, RegionName: SECONDARY })), /not a multi-Region key/);

    const unreplicatedKey = (await deployment.kms(PRIMARY).send(new CreateKeyCommand({ MultiRegion: true, Policy: multiRegionPoolKeyPolicy(PRIMARY) }))).KeyMetadata!.Arn!;
    const noReplicaKey = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: unreplicatedKey } });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: noReplicaKey, RegionName: SECONDARY })), (error: Error) => {
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, new RegExp(`no usable replica in ${SECONDARY}`));
      return true;
    });
    await assert.rejects(west.send(new DescribeUserPoolCommand({ UserPoolId: noReplicaKey })), { name: 'ResourceNotFoundException' });

    const original = await newPool({ ...customerKey(), UserPoolTier: 'PLUS' });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: original, RegionName: SECONDARY })), /IssuerConfiguration \{Type: UPDATED\}/);

    const fine = await newPool({ ...ready, ...customerKey() });
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: fine, RegionName: 'ap-south-1' })), /not in this deployment's region catalog/);
    await assert.rejects(east.send(new CreateUserPoolReplicaCommand({ UserPoolId: fine, RegionName: PRIMARY })), { name: 'InvalidParameterException' });
  });

  test('the inter-region endpoints take only the signature of another region of the catalog', async () => {
    const url = `${deployment.region(SECONDARY).url}/replication/pools/${PRIMARY}_abcdefghi/replica`;
    const unsigned = await fetch(url, { method: 'POST', body: '{}' });
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'UnrecognizedClientException');
    // The admin credentials are not a region's: even correctly signed, the call is refused.
    const byAdmin = await signedFetch({ endpoint: deployment.region(SECONDARY).url, method: 'GET', path: `/replication/pools/${PRIMARY}_abcdefghi/digest`, region: SECONDARY, service: 'meridian-replication', credentials: TEST_ADMIN });
    assert.equal(byAdmin.status, 403);
    const feed = await signedFetch({ endpoint: deployment.region(PRIMARY).url, method: 'GET', path: `/replication/pools/${PRIMARY}_abcdefghi/changes`, region: PRIMARY, service: 'meridian-replication', credentials: TEST_ADMIN });
    assert.equal(feed.status, 403);
  });

  test('lifecycle: create, copy, activate, sign in at the secondary, refuse writes there, deactivate, delete', async () => {
    poolId = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn }, EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT', ReplyToEmailAddress: 'east@example.com' } });
    clientId = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    await east.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }] }));
    await east.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true }));
    await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }));

    const created = await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY, UserPoolTags: { team: 'identity' } }));
    assert.equal(created.UserPoolReplica?.RegionName, SECONDARY);
    assert.equal(created.UserPoolReplica?.Role, 'SECONDARY');
    assert.ok(['CREATING', 'INACTIVE'].includes(created.UserPoolReplica!.Status!));
    assert.equal(created.UserPoolReplica?.UserPoolArn, `arn:aws:cognito-idp:${SECONDARY}:000000000000:userpool/${poolId}`);
    await assert.rejects(west.send(new CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: PRIMARY })), { name: 'OperationNotEnabledException' });

    const replicas = await eventually(async () => {
      const listed = await east.send(new ListUserPoolReplicasCommand({ UserPoolId: poolId }));
      return listed.UserPoolReplicas?.find((replica) => replica.RegionName === SECONDARY)?.Status === 'INACTIVE' ? listed.UserPoolReplicas : undefined;
    }, 'the replica to finish copying');
    assert.deepEqual(replicas.map((replica) => [replica.RegionName, replica.Role, replica.Status]), [
      [PRIMARY, 'PRIMARY', 'ACTIVE'],
      [SECONDARY, 'SECONDARY', 'INACTIVE'],
    ]);
    // Progress travels as extra fields (the SDK drops them; raw clients and the CLI read them).
    const raw = await callExtension(deployment.region(SECONDARY).url, SECONDARY, 'ListUserPoolReplicas', { UserPoolId: poolId });
    assert.equal(raw.status, 200);
    const own = raw.body.UserPoolReplicas.find((replica: any) => replica.RegionName === SECONDARY);
    assert.equal(own.Progress.PercentCopied, 100);
    assert.ok(own.Progress.CopiedRecords >= 4, JSON.stringify(own));
    assert.equal(typeof own.Progress.AppliedSequence, 'number');

    // INACTIVE: no end-user traffic yet, but admin reads work.
    await assert.rejects(west.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD } })), { name: 'OperationNotEnabledException' });
    assert.equal((await west.send(new ListUsersCommand({ UserPoolId: poolId }))).Users?.length, 1);
    const westPool = (await west.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.deepEqual(westPool.UserPoolTags, { team: 'identity' });
    assert.equal(westPool.EmailConfiguration?.ReplyToEmailAddress, undefined, 'per-region settings are not replicated');

    const activated = await east.send(new UpdateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY, Status: 'ACTIVE' }));
    assert.equal(activated.UserPoolReplica?.Status, 'ACTIVE');

    // A user created in the primary signs in at the secondary; tokens cross regions both ways.
    const atWest = (await west.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD } }))).AuthenticationResult!;
    const atEast = (await east.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD } }))).AuthenticationResult!;
    assert.equal((await east.send(new GetUserCommand({ AccessToken: atWest.AccessToken! }))).Username, 'alice');
    assert.equal((await west.send(new GetUserCommand({ AccessToken: atEast.AccessToken! }))).Username, 'alice');
    const globalIssuer = `${deployment.region(PRIMARY).url}/${poolId}`;
    for (const region of [PRIMARY, SECONDARY]) {
      const jwks = createRemoteJWKSet(new URL(`${deployment.region(region).url}/${poolId}/.well-known/jwks.json`));
      for (const token of [atWest.IdToken!, atEast.IdToken!]) {
        const { payload } = await jwtVerify(token, jwks, { issuer: globalIssuer, audience: clientId });
        assert.equal(payload['cognito:username'], 'alice');
      }
    }
    const refresh = (client: CognitoIdentityProviderClient, token: string) => client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } }));
    assert.ok((await refresh(west, atEast.RefreshToken!)).AuthenticationResult?.AccessToken, 'a primary refresh token refreshes at the secondary');
    assert.ok((await refresh(east, atWest.RefreshToken!)).AuthenticationResult?.AccessToken, 'a secondary refresh token refreshes at the primary');

    // Writes are the primary's: each refused action says so.
    const refused: Array<[string, () => Promise<unknown>]> = [
      ['SignUp', () => west.send(new SignUpCommand({ ClientId: clientId, Username: 'bob', Password: PASSWORD }))],
      ['AdminCreateUser', () => west.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'carol', MessageAction: 'SUPPRESS' }))],
      ['UpdateUserAttributes', () => west.send(new UpdateUserAttributesCommand({ AccessToken: atWest.AccessToken!, UserAttributes: [{ Name: 'email', Value: 'new@example.com' }] }))],
      ['ChangePassword', () => west.send(new ChangePasswordCommand({ AccessToken: atWest.AccessToken!, PreviousPassword: PASSWORD, ProposedPassword: 'Other-Horse-10' }))],
      ['AdminSetUserPassword', () => west.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Other-Horse-10', Permanent: true }))],
      ['ForgotPassword', () => west.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'alice' }))],
      ['DeleteUser', () => west.send(new DeleteUserCommand({ AccessToken: atWest.AccessToken! }))],
      ['CreateGroup', () => west.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'west-only' }))],
      ['CreateUserPoolClient', () => west.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'west' }))],
      ['UpdateUserPool (password policy)', () => west.send(new UpdateUserPoolCommand({ UserPoolId: poolId, Policies: { PasswordPolicy: { MinimumLength: 12 } } }))],
      ['DeleteUserPool', () => west.send(new DeleteUserPoolCommand({ UserPoolId: poolId }))],
      ['DeleteUserPoolReplica', () => west.send(new DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }))],
    ];
    for (const [name, call] of refused) await assert.rejects(call(), { name: 'OperationNotEnabledException' }, name);

    // Per-region settings are set in the secondary and never overwritten by the primary.
    await west.send(new UpdateUserPoolCommand({ UserPoolId: poolId, EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT', ReplyToEmailAddress: 'west@example.com' }, UserPoolTags: { team: 'identity' } }));
    await east.send(new UpdateUserPoolCommand({ UserPoolId: poolId, EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT', ReplyToEmailAddress: 'east2@example.com' } }));
    await east.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'after-settings' }));
    await eventually(async () => ((await callExtension(deployment.region(SECONDARY).url, SECONDARY, 'GetUserPoolDigest', { UserPoolId: poolId })).body.Sequence >= (await callExtension(deployment.region(PRIMARY).url, PRIMARY, 'GetUserPoolDigest', { UserPoolId: poolId })).body.Sequence ? true : undefined), 'the secondary to catch up');
    assert.equal((await west.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.EmailConfiguration?.ReplyToEmailAddress, 'west@example.com');
    assert.equal((await east.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.EmailConfiguration?.ReplyToEmailAddress, 'east2@example.com');

    // The failover checklist compares regions by fingerprint, never showing a value.
    const checklist = await callExtension(deployment.region(PRIMARY).url, PRIMARY, 'GetFailoverChecklist', { UserPoolId: poolId });
    assert.equal(checklist.status, 200, JSON.stringify(checklist.body));
    assert.doesNotMatch(JSON.stringify(checklist.body), /example\.com/);
    const email = checklist.body.Settings.find((setting: any) => setting.Name === 'EmailConfiguration');
    assert.equal(email.ConfiguredEverywhere, true);
    assert.equal(email.MatchesPrimaryEverywhere, false);
    const tags = checklist.body.Settings.find((setting: any) => setting.Name === 'UserPoolTags');
    assert.deepEqual(tags.Regions.map((region: any) => [region.RegionName, region.Configured]), [
      [PRIMARY, false],
      [SECONDARY, true],
    ]);
    assert.equal(checklist.body.Ready, false);

    // Digests are equal once caught up.
    const [eastDigest, westDigest] = await Promise.all([PRIMARY, SECONDARY].map((region) => callExtension(deployment.region(region).url, region, 'GetUserPoolDigest', { UserPoolId: poolId })));
    assert.equal(westDigest!.body.Digest, eastDigest!.body.Digest);

    // Only an INACTIVE replica can be deleted; deactivation works from the secondary too.
    await assert.rejects(east.send(new DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY })), /Only INACTIVE replicas/);
    await assert.rejects(east.send(new DeleteUserPoolCommand({ UserPoolId: poolId })), /has replicas/);
    assert.equal((await west.send(new UpdateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY, Status: 'INACTIVE' }))).UserPoolReplica?.Status, 'INACTIVE');
    await east.send(new DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: SECONDARY }));
    await assert.rejects(west.send(new DescribeUserPoolCommand({ UserPoolId: poolId })), { name: 'ResourceNotFoundException' });
    assert.deepEqual((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: poolId }))).UserPoolReplicas?.map((replica) => replica.RegionName), [PRIMARY]);
  });

  test('sign-outs and revocations made in either region take effect in both', async () => {
    const pool = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } });
    const client = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    for (const username of ['dave', 'erin']) {
      await east.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: username, MessageAction: 'SUPPRESS' }));
      await east.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: username, Password: PASSWORD, Permanent: true }));
    }
    await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY }));
    await eventually(async () => ((await west.send(new ListUserPoolReplicasCommand({ UserPoolId: pool }))).UserPoolReplicas?.find((replica) => replica.RegionName === SECONDARY)?.Status === 'INACTIVE' ? true : undefined), 'the copy');
    await west.send(new UpdateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY, Status: 'ACTIVE' }));

    const signIn = async (regionClient: CognitoIdentityProviderClient, username: string) =>
      (await regionClient.send(new InitiateAuthCommand({ ClientId: client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }))).AuthenticationResult!;
    const refreshFails = async (regionClient: CognitoIdentityProviderClient, token: string) => {
      try {
        await regionClient.send(new InitiateAuthCommand({ ClientId: client, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } }));
        return undefined;
      } catch (error) {
        return (error as Error).name === 'NotAuthorizedException' ? true : undefined;
      }
    };

    // Signed out at the secondary: refused there at once, and at the primary once shipped.
    const daveEast = await signIn(east, 'dave');
    const daveWest = await signIn(west, 'dave');
    await west.send(new GlobalSignOutCommand({ AccessToken: daveWest.AccessToken! }));
    assert.equal(await refreshFails(west, daveEast.RefreshToken!), true);
    await assert.rejects(west.send(new GetUserCommand({ AccessToken: daveWest.AccessToken! })), { name: 'NotAuthorizedException' });
    await eventually(() => refreshFails(east, daveEast.RefreshToken!), 'the secondary sign-out to reach the primary');
    await assert.rejects(east.send(new GetUserCommand({ AccessToken: daveEast.AccessToken! })), { name: 'NotAuthorizedException' });

    // Signed out at the primary: refused at the secondary once replicated.
    const erinWest = await signIn(west, 'erin');
    await east.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool, Username: 'erin' }));
    await eventually(() => refreshFails(west, erinWest.RefreshToken!), 'the primary sign-out to reach the secondary');

    // A token revoked at the secondary stops working in both regions.
    const erinAgain = await signIn(east, 'erin');
    await west.send(new RevokeTokenCommand({ ClientId: client, Token: erinAgain.RefreshToken! }));
    assert.equal(await refreshFails(west, erinAgain.RefreshToken!), true);
    await eventually(() => refreshFails(east, erinAgain.RefreshToken!), 'the revocation to reach the primary');
    // A fresh sign-in after all that works everywhere.
    assert.ok((await signIn(west, 'erin')).AccessToken);
  });

  test('at an inactive secondary, a deleted client is reported missing, a live one refused for the replica\'s status', async () => {
    const pool = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } });
    const newClient = async (name: string) =>
      (await east.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: name, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    const [doomed, kept] = [await newClient('doomed'), await newClient('kept')];
    await east.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'heidi', MessageAction: 'SUPPRESS' }));
    await east.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: 'heidi', Password: PASSWORD, Permanent: true }));
    await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY }));
    await eventually(async () => ((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: pool }))).UserPoolReplicas?.[1]?.Status === 'INACTIVE' ? true : undefined), 'the copy');
    await east.send(new UpdateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY, Status: 'ACTIVE' }));
    const signIn = (client: string) => west.send(new InitiateAuthCommand({ ClientId: client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'heidi', PASSWORD } }));
    // The secondary's process now remembers both clients' pool.
    for (const client of [doomed, kept]) assert.ok((await signIn(client)).AuthenticationResult?.AccessToken);

    await east.send(new DeleteUserPoolClientCommand({ UserPoolId: pool, ClientId: doomed }));
    await eventually(async () => {
      try {
        await west.send(new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: doomed }));
        return undefined;
      } catch (error) {
        return (error as Error).name === 'ResourceNotFoundException' ? true : undefined;
      }
    }, 'the deletion to replicate');
    await east.send(new UpdateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY, Status: 'INACTIVE' }));
    await assert.rejects(signIn(doomed), { name: 'ResourceNotFoundException' });
    await assert.rejects(signIn(kept), { name: 'OperationNotEnabledException' });
    // A write names the client too: the same for it, whatever the replica's status.
    const signUp = (client: string) => west.send(new SignUpCommand({ ClientId: client, Username: 'ivan', Password: PASSWORD }));
    await assert.rejects(signUp(doomed), { name: 'ResourceNotFoundException' });
    await assert.rejects(signUp(kept), { name: 'OperationNotEnabledException' });
  });

  test('an ACTIVE secondary serves SRP sign-in, client credentials, single-use authorization codes, and the same JWKS and discovery as the primary', async () => {
    const pool = await newPool({ ...ready, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } });
    const publicClient = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'web' }))).UserPoolClient!.ClientId!;
    await east.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'grace', MessageAction: 'SUPPRESS' }));
    await east.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: 'grace', Password: PASSWORD, Permanent: true }));
    await east.send(new CreateResourceServerCommand({ UserPoolId: pool, Identifier: 'orders', Name: 'Orders', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
    const prefix = `replicated-${process.pid}`;
    await east.send(new CreateUserPoolDomainCommand({ UserPoolId: pool, Domain: prefix }));
    const m2m = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'm2m', GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true }))).UserPoolClient!;
    const callback = 'https://app.example.com/callback';
    const web = (await east.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'web', AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], AllowedOAuthFlowsUserPoolClient: true, CallbackURLs: [callback], SupportedIdentityProviders: ['COGNITO'] }))).UserPoolClient!.ClientId!;
    await east.send(new CreateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY }));
    await eventually(async () => ((await east.send(new ListUserPoolReplicasCommand({ UserPoolId: pool }))).UserPoolReplicas?.[1]?.Status === 'INACTIVE' ? true : undefined), 'the copy');

    const westUrl = deployment.region(SECONDARY).url;
    const tokenAtWest = () =>
      fetch(`${westUrl}/${prefix}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString('base64')}` },
        body: 'grant_type=client_credentials&scope=orders%2Fread',
      });
    assert.equal((await tokenAtWest()).status, 404, 'an INACTIVE replica does not serve the OAuth endpoints');
    await east.send(new UpdateUserPoolReplicaCommand({ UserPoolId: pool, RegionName: SECONDARY, Status: 'ACTIVE' }));

    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      const user = new CognitoUser({ Username: 'grace', Pool: new CognitoUserPool({ UserPoolId: pool, ClientId: publicClient, endpoint: westUrl }) });
      user.authenticateUser(new AuthenticationDetails({ Username: 'grace', Password: PASSWORD }), { onSuccess: resolve, onFailure: reject });
    });
    assert.ok(session.isValid(), 'real SRP sign-in at the secondary');

    // The code flow at the secondary: the code is used up there (region-locally), and a second use
    // is refused and ends the session of the first.
    const westOAuth = `${westUrl}/${prefix}`;
    const pkce = pkcePair();
    const { location } = await signInOverHttp(authorizeUrl(westOAuth, { response_type: 'code', client_id: web, redirect_uri: callback, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' }), 'grace', PASSWORD);
    const code = location.searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    const exchange = () => postToken(westOAuth, { grant_type: 'authorization_code', client_id: web, code, redirect_uri: callback, code_verifier: pkce.verifier });
    const firstUse = await exchange();
    assert.equal(firstUse.status, 200, JSON.stringify(firstUse.json));
    const secondUse = await exchange();
    assert.equal(secondUse.status, 400);
    assert.equal(secondUse.json.error_description, 'The authorization code has already been used.');
    const refreshed = await postToken(westOAuth, { grant_type: 'refresh_token', client_id: web, refresh_token: String(firstUse.json.refresh_token) });
    assert.equal(refreshed.json.error, 'invalid_grant', 'the first use\'s session is revoked');

    // Across regions: the use of a code at the secondary is shipped to the primary. Used there too,
    // the code gives no lasting session: refused as used once the shipment has arrived (ending
    // the secondary's session), or, redeemed before it arrived, both sessions end when it does.
    const eastOAuth = `${deployment.region(PRIMARY).url}/${prefix}`;
    const pkceAgain = pkcePair();
    const again = await signInOverHttp(authorizeUrl(westOAuth, { response_type: 'code', client_id: web, redirect_uri: callback, scope: 'openid', code_challenge: pkceAgain.challenge, code_challenge_method: 'S256' }), 'grace', PASSWORD);
    const codeAgain = again.location.searchParams.get('code');
    assert.ok(codeAgain, `no code in ${again.location}`);
    const exchangeAt = (base: string) => postToken(base, { grant_type: 'authorization_code', client_id: web, code: codeAgain, redirect_uri: callback, code_verifier: pkceAgain.verifier });
    const usedAtWest = await exchangeAt(westOAuth);
    assert.equal(usedAtWest.status, 200, JSON.stringify(usedAtWest.json));
    const usedAtEast = await exchangeAt(eastOAuth);
    const sessionEnded = async (base: string, refreshToken: unknown) =>
      (await postToken(base, { grant_type: 'refresh_token', client_id: web, refresh_token: String(refreshToken) })).json.error === 'invalid_grant' ? true : undefined;
    if (usedAtEast.status === 200) {
      await eventually(() => sessionEnded(eastOAuth, usedAtEast.json.refresh_token), 'the primary\'s session of a code used in both regions to end');
    } else {
      assert.equal(usedAtEast.status, 400, JSON.stringify(usedAtEast.json));
      assert.equal(usedAtEast.json.error_description, 'The authorization code has already been used.');
    }
    await eventually(() => sessionEnded(eastOAuth, usedAtWest.json.refresh_token), 'the secondary\'s session to end at the primary');
    await eventually(() => sessionEnded(westOAuth, usedAtWest.json.refresh_token), 'and at the secondary');

    const granted = await tokenAtWest();
    assert.equal(granted.status, 200);
    const { access_token } = (await granted.json()) as { access_token: string };
    const documents = [];
    for (const region of [PRIMARY, SECONDARY]) {
      const base = `${deployment.region(region).url}/${pool}/.well-known`;
      const [discovery, jwks] = await Promise.all([fetch(`${base}/openid-configuration`).then((response) => response.json()), fetch(`${base}/jwks.json`).then((response) => response.json())]);
      documents.push({ discovery, jwks });
      const { payload } = await jwtVerify(access_token, createRemoteJWKSet(new URL(`${base}/jwks.json`)), { issuer: `${deployment.region(PRIMARY).url}/${pool}` });
      assert.equal(payload.client_id, m2m.ClientId);
      assert.equal(payload.scope, 'orders/read');
    }
    assert.deepEqual(documents[1], documents[0], 'every region serves the same discovery document and JWKS');
  });
});
