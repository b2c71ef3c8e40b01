import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CLIENT_ROUTE } from '../../src/userpools/clients/client-directory.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';

describe('app clients over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  async function newPool(options: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
    const { UserPool } = await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'clients-test', ...options }));
    return UserPool!.Id!;
  }

  async function newClient(poolId: string, options: Partial<CreateUserPoolClientCommandInput> = {}): Promise<UserPoolClientType> {
    const { UserPoolClient } = await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ...options }));
    return UserPoolClient!;
  }

  async function describeClient(poolId: string, clientId: string): Promise<UserPoolClientType> {
    return (await region.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
  }

  async function rejectsCreate(poolId: string, options: Partial<CreateUserPoolClientCommandInput>, name: string): Promise<void> {
    await assert.rejects(newClient(poolId, options), { name });
  }

  test('CreateUserPoolClient applies Cognito defaults and DescribeUserPoolClient shows the same client', async () => {
    const poolId = await newPool();
    const created = await newClient(poolId);
    assert.match(created.ClientId!, /^[a-z0-9]{26}$/);
    assert.equal(created.UserPoolId, poolId);
    assert.equal(created.ClientName, 'web');
    assert.equal(created.ClientSecret, undefined);
    assert.ok(created.CreationDate instanceof Date);
    assert.equal(created.RefreshTokenValidity, 30);
    assert.equal(created.AccessTokenValidity, 60);
    assert.equal(created.IdTokenValidity, 60);
    assert.deepEqual(created.TokenValidityUnits, { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' });
    assert.deepEqual(new Set(created.ExplicitAuthFlows), new Set(['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
    assert.equal(created.PreventUserExistenceErrors, 'LEGACY');
    assert.equal(created.EnableTokenRevocation, true);
    assert.equal(created.EnablePropagateAdditionalUserContextData, false);
    assert.equal(created.AuthSessionValidity, 3);
    assert.equal(created.AllowedOAuthFlowsUserPoolClient, false);
    assert.equal(created.ReadAttributes, undefined);
    assert.equal(created.WriteAttributes, undefined);
    assert.equal(created.CallbackURLs, undefined);
    assert.equal(created.ClientType, 'REGULAR');
    assert.deepEqual(await describeClient(poolId, created.ClientId!), created);
  });

  test('GenerateSecret gives the client a secret on create and describe, never in listings; otherwise there is none', async () => {
    const poolId = await newPool();
    const confidential = await newClient(poolId, { ClientName: 'server', GenerateSecret: true });
    assert.match(confidential.ClientSecret!, /^[a-z0-9]{40,64}$/);
    assert.equal((await describeClient(poolId, confidential.ClientId!)).ClientSecret, confidential.ClientSecret);
    const publicClient = await newClient(poolId, { ClientName: 'spa', GenerateSecret: false });
    assert.equal(publicClient.ClientSecret, undefined);
    assert.equal((await describeClient(poolId, publicClient.ClientId!)).ClientSecret, undefined);
    const listed = await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
    for (const client of listed.UserPoolClients!) assert.deepEqual(Object.keys(client).sort(), ['ClientId', 'ClientName', 'UserPoolId']);
    const other = await newClient(poolId, { GenerateSecret: true });
    assert.notEqual(other.ClientSecret, confidential.ClientSecret);
  });

  test('a chosen ClientSecret is kept; it cannot be combined with GenerateSecret', async () => {
    const poolId = await newPool();
    const secret = 'my_own_secret_value_0123456789';
    const client = await newClient(poolId, { ClientSecret: secret });
    assert.equal((await describeClient(poolId, client.ClientId!)).ClientSecret, secret);
    await rejectsCreate(poolId, { GenerateSecret: true, ClientSecret: secret }, 'InvalidParameterException');
    await rejectsCreate(poolId, { ClientSecret: 'too-short' }, 'InvalidParameterException');
  });

  test('token validities take their units, default to hours (access, ID) and days (refresh), and keep to Cognito ranges', async () => {
    const poolId = await newPool();
    const withUnits = await newClient(poolId, {
      AccessTokenValidity: 5,
      IdTokenValidity: 300,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'seconds', RefreshToken: 'minutes' },
    });
    assert.deepEqual(
      [withUnits.AccessTokenValidity, withUnits.IdTokenValidity, withUnits.RefreshTokenValidity],
      [5, 300, 60],
    );
    assert.deepEqual(withUnits.TokenValidityUnits, { AccessToken: 'minutes', IdToken: 'seconds', RefreshToken: 'minutes' });

    const defaultUnits = await newClient(poolId, { AccessTokenValidity: 24, IdTokenValidity: 2, RefreshTokenValidity: 3650 });
    assert.deepEqual(defaultUnits.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' });
    assert.equal(defaultUnits.RefreshTokenValidity, 3650);

    // RefreshTokenValidity 0 means the default of 30 days.
    assert.equal((await newClient(poolId, { RefreshTokenValidity: 0 })).RefreshTokenValidity, 30);

    const outOfRange: Array<Partial<CreateUserPoolClientCommandInput>> = [
      { AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: 'minutes' } },
      { AccessTokenValidity: 25 },
      { AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } },
      { IdTokenValidity: 299, TokenValidityUnits: { IdToken: 'seconds' } },
      { IdTokenValidity: 1441, TokenValidityUnits: { IdToken: 'minutes' } },
      { RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: 'minutes' } },
      { RefreshTokenValidity: 3651 },
      { AccessTokenValidity: 0 },
      { AccessTokenValidity: 86401, TokenValidityUnits: { AccessToken: 'seconds' } },
    ];
    for (const options of outOfRange) await rejectsCreate(poolId, options, 'InvalidParameterException');
    await assert.rejects(newClient(poolId, { RefreshTokenValidity: 3651 }), { message: 'Invalid range for token validity.' });
  });

  test('AuthSessionValidity is 3 to 15 minutes', async () => {
    const poolId = await newPool();
    assert.equal((await newClient(poolId, { AuthSessionValidity: 15 })).AuthSessionValidity, 15);
    await rejectsCreate(poolId, { AuthSessionValidity: 2 }, 'InvalidParameterException');
    await rejectsCreate(poolId, { AuthSessionValidity: 16 }, 'InvalidParameterException');
  });

  test('ExplicitAuthFlows: the given flows, legacy values alone, never legacy mixed with ALLOW_ values', async () => {
    const poolId = await newPool();
    const chosen = await newClient(poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_AUTH'] });
    assert.deepEqual(chosen.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_AUTH']);
    const legacy = await newClient(poolId, { ExplicitAuthFlows: ['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH'] });
    assert.deepEqual(legacy.ExplicitAuthFlows, ['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH']);
    await rejectsCreate(poolId, { ExplicitAuthFlows: ['ADMIN_NO_SRP_AUTH', 'ALLOW_USER_SRP_AUTH'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { ExplicitAuthFlows: ['NOT_A_FLOW' as 'ALLOW_USER_SRP_AUTH'] }, 'InvalidParameterException');
    // Cognito: "REFRESH_TOKEN_AUTH should always be allowed." (legacy lists allow it implicitly).
    await rejectsCreate(poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] }, 'InvalidParameterException');
    await assert.rejects(
      region.cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: chosen.ClientId!, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] })),
      { name: 'InvalidParameterException', message: 'REFRESH_TOKEN_AUTH should always be allowed.' },
    );
  });

  test('ALLOW_USER_AUTH needs the Essentials tier or higher', async () => {
    const litePool = await newPool({ UserPoolTier: 'LITE' });
    await rejectsCreate(litePool, { ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }, 'FeatureUnavailableInTierException');
    await newClient(litePool, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  });

  test('read and write attributes must be attributes of the pool schema', async () => {
    const poolId = await newPool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }] });
    const client = await newClient(poolId, {
      ReadAttributes: ['email', 'email_verified', 'custom:tenant', 'sub'],
      WriteAttributes: ['email', 'custom:tenant'],
    });
    assert.deepEqual(client.ReadAttributes, ['email', 'email_verified', 'custom:tenant', 'sub']);
    assert.deepEqual(client.WriteAttributes, ['email', 'custom:tenant']);
    await rejectsCreate(poolId, { ReadAttributes: ['shoe_size'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { ReadAttributes: ['tenant'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { WriteAttributes: ['custom:missing'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { WriteAttributes: ['sub'] }, 'InvalidParameterException');
  });

  test('OAuth flows: scopes and callback URLs, client_credentials alone, with a secret and custom scopes only', async () => {
    const poolId = await newPool();
    const web = await newClient(poolId, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code', 'implicit'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['https://app.example.com/callback', 'http://localhost:3000/callback'],
      LogoutURLs: ['https://app.example.com/signed-out'],
      DefaultRedirectURI: 'https://app.example.com/callback',
      SupportedIdentityProviders: ['COGNITO'],
    });
    const described = await describeClient(poolId, web.ClientId!);
    assert.equal(described.AllowedOAuthFlowsUserPoolClient, true);
    assert.deepEqual(described.AllowedOAuthFlows, ['code', 'implicit']);
    assert.deepEqual(described.CallbackURLs, ['https://app.example.com/callback', 'http://localhost:3000/callback']);
    assert.equal(described.DefaultRedirectURI, 'https://app.example.com/callback');
    assert.deepEqual(described.SupportedIdentityProviders, ['COGNITO']);

    const oauth = { AllowedOAuthFlowsUserPoolClient: true, CallbackURLs: ['https://app.example.com/callback'] };
    await rejectsCreate(poolId, { AllowedOAuthFlowsUserPoolClient: true }, 'InvalidParameterException');
    await rejectsCreate(poolId, { ...oauth, AllowedOAuthFlows: ['code'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'] }, 'InvalidOAuthFlowException');
    await rejectsCreate(poolId, { ...oauth, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials', 'code'], AllowedOAuthScopes: ['openid'] }, 'InvalidOAuthFlowException');
    await rejectsCreate(poolId, { ...oauth, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['openid'] }, 'InvalidOAuthFlowException');
    await assert.rejects(newClient(poolId, { ...oauth, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['openid'] }), {
      name: 'InvalidOAuthFlowException',
      message: 'openid is not supported with client_credentials flow',
    });
    // Custom scopes live on resource servers, which this pool has none of.
    await assert.rejects(newClient(poolId, { ...oauth, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'] }), {
      name: 'ScopeDoesNotExistException',
      message: 'Invalid scope requested: orders/read',
    });
    await rejectsCreate(poolId, { ...oauth, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['Cognito'] }, 'ScopeDoesNotExistException');
    await rejectsCreate(poolId, { ...oauth, AllowedOAuthFlows: ['token' as 'code'], AllowedOAuthScopes: ['openid'] }, 'InvalidParameterException');
  });

  test('callback and sign-out URLs: absolute, no fragment, HTTPS except on loopback; DefaultRedirectURI among them', async () => {
    const poolId = await newPool();
    const accepted = ['https://example.com/cb', 'http://localhost/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]:9000/cb', 'myapp://callback'];
    assert.deepEqual((await newClient(poolId, { CallbackURLs: accepted })).CallbackURLs, accepted);
    await assert.rejects(newClient(poolId, { CallbackURLs: ['http://example.com/cb'] }), {
      name: 'InvalidParameterException',
      message: 'http://example.com/cb cannot use the HTTP protocol.',
    });
    for (const url of ['/relative/path', 'example.com/cb', 'https://example.com/cb#fragment', 'javascript:alert(1)', 'http://localhost.example.com/cb']) {
      await rejectsCreate(poolId, { CallbackURLs: [url] }, 'InvalidParameterException');
    }
    await rejectsCreate(poolId, { LogoutURLs: ['http://example.com/out'] }, 'InvalidParameterException');
    await rejectsCreate(poolId, { CallbackURLs: ['https://a.example.com/cb'], DefaultRedirectURI: 'https://b.example.com/cb' }, 'InvalidParameterException');
    await rejectsCreate(poolId, { DefaultRedirectURI: 'https://b.example.com/cb' }, 'InvalidParameterException');
  });

  test('identity providers must exist in the pool; COGNITO always does', async () => {
    const poolId = await newPool();
    await rejectsCreate(poolId, { SupportedIdentityProviders: ['COGNITO', 'Google'] }, 'InvalidParameterException');
  });

  test('context data propagation needs a secret; analytics and refresh token rotation are stored', async () => {
    const poolId = await newPool();
    await rejectsCreate(poolId, { EnablePropagateAdditionalUserContextData: true }, 'InvalidParameterException');
    const client = await newClient(poolId, {
      GenerateSecret: true,
      EnablePropagateAdditionalUserContextData: true,
      EnableTokenRevocation: false,
      PreventUserExistenceErrors: 'ENABLED',
      AnalyticsConfiguration: { ApplicationId: 'abcdef0123456789', RoleArn: 'arn:aws:iam::000000000000:role/pinpoint', ExternalId: 'x', UserDataShared: true },
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 30 },
    });
    const described = await describeClient(poolId, client.ClientId!);
    assert.equal(described.EnablePropagateAdditionalUserContextData, true);
    assert.equal(described.EnableTokenRevocation, false);
    assert.equal(described.PreventUserExistenceErrors, 'ENABLED');
    assert.deepEqual(described.AnalyticsConfiguration, { ApplicationId: 'abcdef0123456789', RoleArn: 'arn:aws:iam::000000000000:role/pinpoint', ExternalId: 'x', UserDataShared: true });
    assert.deepEqual(described.RefreshTokenRotation, { Feature: 'ENABLED', RetryGracePeriodSeconds: 30 });
    await rejectsCreate(poolId, { AnalyticsConfiguration: { ApplicationId: 'not-hex' } }, 'InvalidParameterException');
  });

  test('UpdateUserPoolClient replaces settings (omitted ones return to defaults), keeps the name unless given, never changes the secret', async () => {
    const poolId = await newPool();
    const created = await newClient(poolId, {
      ClientName: 'before',
      GenerateSecret: true,
      AccessTokenValidity: 10,
      TokenValidityUnits: { AccessToken: 'minutes' },
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      ReadAttributes: ['email'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { UserPoolClient: updated } = await region.cognito.send(
      new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: created.ClientId!, IdTokenValidity: 2 }),
    );
    assert.equal(updated!.ClientName, 'before');
    assert.equal(updated!.ClientSecret, created.ClientSecret);
    assert.equal(updated!.AccessTokenValidity, 60);
    assert.equal(updated!.IdTokenValidity, 2);
    assert.deepEqual(updated!.TokenValidityUnits, { AccessToken: 'minutes', IdToken: 'hours', RefreshToken: 'days' });
    assert.deepEqual(new Set(updated!.ExplicitAuthFlows), new Set(['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
    assert.equal(updated!.ReadAttributes, undefined);
    assert.equal(updated!.PreventUserExistenceErrors, 'LEGACY');
    assert.equal(updated!.EnableTokenRevocation, true);
    assert.equal(updated!.CreationDate!.getTime(), created.CreationDate!.getTime());
    assert.ok(updated!.LastModifiedDate! > created.LastModifiedDate!);

    await region.cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: created.ClientId!, ClientName: 'after' }));
    const described = await describeClient(poolId, created.ClientId!);
    assert.equal(described.ClientName, 'after');
    assert.equal(described.ClientSecret, created.ClientSecret);

    await assert.rejects(
      region.cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: created.ClientId!, AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } })),
      { name: 'InvalidParameterException' },
    );
    // A client without a secret cannot gain client_credentials by update.
    const publicClient = await newClient(poolId);
    await assert.rejects(
      region.cognito.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: publicClient.ClientId!,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['openid'],
        }),
      ),
      { name: 'InvalidOAuthFlowException', message: 'client_credentials flow can not be selected if client does not have a client secret.' },
    );
  });

  test('unknown pools and clients are ResourceNotFoundException with Cognito messages', async () => {
    const poolId = await newPool();
    const missingPool = 'us-east-1_Missing00';
    const missingClient = 'abcdefghijklmnopqrstuvwxyz';
    await assert.rejects(newClient(missingPool), { name: 'ResourceNotFoundException', message: `User pool ${missingPool} does not exist.` });
    await assert.rejects(region.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: missingPool, ClientId: missingClient })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: missingPool, MaxResults: 10 })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: missingClient })), {
      name: 'ResourceNotFoundException',
      message: `User pool client ${missingClient} does not exist.`,
    });
    await assert.rejects(region.cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: missingClient })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: missingClient })), { name: 'ResourceNotFoundException' });
    // A client is only found in its own pool.
    const client = await newClient(poolId);
    const otherPool = await newPool();
    await assert.rejects(region.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: otherPool, ClientId: client.ClientId! })), { name: 'ResourceNotFoundException' });
  });

  test('ListUserPoolClients pages 5 clients with MaxResults 2 and sees each once', async () => {
    const poolId = await newPool();
    const created = new Set<string>();
    for (let i = 0; i < 5; i += 1) created.add((await newClient(poolId, { ClientName: `client-${i}` })).ClientId!);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: token }));
      pages.push(page.UserPoolClients!.map((client) => client.ClientId!));
      for (const client of page.UserPoolClients!) assert.equal(client.UserPoolId, poolId);
      token = page.NextToken;
    } while (token);
    assert.deepEqual(pages.map((page) => page.length), [2, 2, 1]);
    assert.deepEqual(new Set(pages.flat()), created);

    const firstPage = await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2 }));
    const otherPool = await newPool();
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: otherPool, MaxResults: 2, NextToken: firstPage.NextToken })), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 0 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 61 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: 'bogus' })), {
      name: 'InvalidParameterException',
    });
    assert.equal((await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }))).UserPoolClients!.length, 5);
    const dynamic = await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, ClientType: 'DCR' }));
    assert.deepEqual(dynamic.UserPoolClients, []);
  });

  test('a deleted client is gone', async () => {
    const poolId = await newPool();
    const client = await newClient(poolId);
    const kept = await newClient(poolId, { ClientName: 'kept' });
    await region.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId! }));
    await assert.rejects(describeClient(poolId, client.ClientId!), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId! })), {
      name: 'ResourceNotFoundException',
    });
    const listed = await region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10 }));
    assert.deepEqual(listed.UserPoolClients!.map((entry) => entry.ClientId), [kept.ClientId]);
  });

  test('deleting the pool removes its clients', async () => {
    const poolId = await newPool();
    const client = await newClient(poolId, { GenerateSecret: true });
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    await assert.rejects(describeClient(poolId, client.ClientId!), { name: 'ResourceNotFoundException', message: `User pool ${poolId} does not exist.` });
    await assert.rejects(region.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10 })), { name: 'ResourceNotFoundException' });
  });

  test('a client id leads to its pool region-wide while the client exists (public actions name only the ClientId)', async () => {
    const poolId = await newPool();
    const client = await newClient(poolId);
    const route = () => region.region.store.findRoute(CLIENT_ROUTE, client.ClientId!);
    assert.equal((await route())?.poolId, poolId);
    await region.cognito.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId!, ClientName: 'renamed' }));
    assert.equal((await route())?.poolId, poolId);
    await region.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId! }));
    assert.equal(await route(), null);

    const doomedPool = await newPool();
    const orphan = await newClient(doomedPool);
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: doomedPool }));
    assert.equal(await region.region.store.findRoute(CLIENT_ROUTE, orphan.ClientId!), null);
  });

  test('public actions stop finding a client once it or its pool is deleted, even right after using it', async () => {
    const signIn = (clientId: string) =>
      region.cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'nobody', PASSWORD: 'Passw0rd!x' } }));
    const poolId = await newPool();
    const client = await newClient(poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await assert.rejects(signIn(client.ClientId!), { name: 'UserNotFoundException' });
    await region.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId! }));
    await assert.rejects(signIn(client.ClientId!), { name: 'ResourceNotFoundException' });

    const doomedPool = await newPool();
    const orphan = await newClient(doomedPool, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await assert.rejects(signIn(orphan.ClientId!), { name: 'UserNotFoundException' });
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: doomedPool }));
    await assert.rejects(signIn(orphan.ClientId!), { name: 'ResourceNotFoundException' });
  });

  test('client actions need IAM credentials', async () => {
    const poolId = await newPool();
    const unknownKey = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever-0000000000000000000000' });
    await assert.rejects(unknownKey.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'x' })), { name: 'UnrecognizedClientException' });
    await assert.rejects(unknownKey.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 1 })), { name: 'UnrecognizedClientException' });
  });
});
