import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  ListResourceServersCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  type CreateResourceServerCommandInput,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, type TestRegion } from '../support/region.ts';

describe('resource servers over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  async function newPool(): Promise<string> {
    return (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'resource-servers-test' }))).UserPool!.Id!;
  }

  function createServer(poolId: string, input: Partial<CreateResourceServerCommandInput> = {}) {
    return region.cognito.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'orders',
        Name: 'Orders API',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'Read orders' },
          { ScopeName: 'write', ScopeDescription: 'Write orders' },
        ],
        ...input,
      }),
    );
  }

  const m2mClient = (poolId: string, scopes: string[]): CreateUserPoolClientCommandInput => ({
    UserPoolId: poolId,
    ClientName: 'm2m',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthScopes: scopes,
  });

  test('CreateResourceServer returns the server; DescribeResourceServer shows the same', async () => {
    const poolId = await newPool();
    const { ResourceServer } = await createServer(poolId);
    assert.deepEqual(ResourceServer, {
      UserPoolId: poolId,
      Identifier: 'orders',
      Name: 'Orders API',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Read orders' },
        { ScopeName: 'write', ScopeDescription: 'Write orders' },
      ],
    });
    const described = await region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' }));
    assert.deepEqual(described.ResourceServer, ResourceServer);
    const bare = await createServer(poolId, { Identifier: 'https://api.example.com/v1', Name: 'no scopes', Scopes: undefined });
    assert.deepEqual(bare.ResourceServer!.Scopes, []);
  });

  test('input follows the API reference: identifier, name and scope name patterns, at most 100 scopes, no repeated scope names', async () => {
    const poolId = await newPool();
    const invalid: Array<Partial<CreateResourceServerCommandInput>> = [
      { Identifier: '' },
      { Identifier: 'has space' },
      { Identifier: 'has"quote' },
      { Identifier: 'x'.repeat(257) },
      { Name: 'bad/name' },
      { Name: '' },
      { Scopes: [{ ScopeName: 'a/b', ScopeDescription: 'slash' }] },
      { Scopes: [{ ScopeName: 'a b', ScopeDescription: 'space' }] },
      { Scopes: [{ ScopeName: 'read', ScopeDescription: '' }] },
      { Scopes: Array.from({ length: 101 }, (_, i) => ({ ScopeName: `s${i}`, ScopeDescription: 'd' })) },
      { Scopes: [{ ScopeName: 'read', ScopeDescription: 'one' }, { ScopeName: 'read', ScopeDescription: 'two' }] },
    ];
    for (const input of invalid) await assert.rejects(createServer(poolId, input), { name: 'InvalidParameterException' }, JSON.stringify(input).slice(0, 80));
    const hundred = Array.from({ length: 100 }, (_, i) => ({ ScopeName: `s${i}`, ScopeDescription: 'd' }));
    assert.equal((await createServer(poolId, { Identifier: 'many', Scopes: hundred })).ResourceServer!.Scopes!.length, 100);
  });

  test('an identifier is unique in its pool (InvalidParameterException), not across pools', async () => {
    const poolId = await newPool();
    await createServer(poolId);
    await assert.rejects(createServer(poolId, { Name: 'again' }), { name: 'InvalidParameterException', message: /already exists/ });
    const otherPool = await newPool();
    assert.equal((await createServer(otherPool)).ResourceServer!.UserPoolId, otherPool);
  });

  test('a pool holds at most 25 resource servers (LimitExceededException)', async () => {
    const poolId = await newPool();
    for (let i = 0; i < 25; i += 1) await createServer(poolId, { Identifier: `api-${i}`, Scopes: [] });
    await assert.rejects(createServer(poolId, { Identifier: 'api-25' }), { name: 'LimitExceededException' });
  });

  test('UpdateResourceServer replaces name and scopes; left-out Scopes means none', async () => {
    const poolId = await newPool();
    await createServer(poolId);
    const { ResourceServer } = await region.cognito.send(
      new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders v2', Scopes: [{ ScopeName: 'admin', ScopeDescription: 'Everything' }] }),
    );
    assert.equal(ResourceServer!.Name, 'Orders v2');
    assert.deepEqual(ResourceServer!.Scopes, [{ ScopeName: 'admin', ScopeDescription: 'Everything' }]);
    const cleared = await region.cognito.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders v3' }));
    assert.deepEqual(cleared.ResourceServer!.Scopes, []);
    assert.deepEqual((await region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' }))).ResourceServer, cleared.ResourceServer);
  });

  test('unknown pools and identifiers are ResourceNotFoundException', async () => {
    const poolId = await newPool();
    const missingPool = 'us-east-1_Missing00';
    await assert.rejects(createServer(missingPool), { name: 'ResourceNotFoundException', message: `User pool ${missingPool} does not exist.` });
    await assert.rejects(region.cognito.send(new ListResourceServersCommand({ UserPoolId: missingPool })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'nope' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'nope', Name: 'x' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'nope' })), { name: 'ResourceNotFoundException' });
    // A resource server is only found in its own pool.
    await createServer(poolId);
    await assert.rejects(region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: await newPool(), Identifier: 'orders' })), { name: 'ResourceNotFoundException' });
  });

  test('ListResourceServers pages 5 servers with MaxResults 2, each once; tokens are bound to their pool', async () => {
    const poolId = await newPool();
    const identifiers = new Set<string>();
    for (let i = 0; i < 5; i += 1) identifiers.add((await createServer(poolId, { Identifier: `api-${i}` })).ResourceServer!.Identifier!);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await region.cognito.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 2, NextToken: token }));
      pages.push(page.ResourceServers!.map((server) => server.Identifier!));
      for (const server of page.ResourceServers!) assert.equal(server.Scopes!.length, 2);
      token = page.NextToken;
    } while (token);
    assert.deepEqual(pages.map((page) => page.length), [2, 2, 1]);
    assert.deepEqual(new Set(pages.flat()), identifiers);

    const firstPage = await region.cognito.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 2 }));
    await assert.rejects(region.cognito.send(new ListResourceServersCommand({ UserPoolId: await newPool(), MaxResults: 2, NextToken: firstPage.NextToken })), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(region.cognito.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 0 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 51 })), { name: 'InvalidParameterException' });
    assert.equal((await region.cognito.send(new ListResourceServersCommand({ UserPoolId: poolId }))).ResourceServers!.length, 5);
  });

  test('app clients may name the custom scopes their pool\'s resource servers declare, and only those', async () => {
    const poolId = await newPool();
    await createServer(poolId);
    await createServer(poolId, { Identifier: 'https://api.example.com/v1', Name: 'URL API', Scopes: [{ ScopeName: 'admin', ScopeDescription: 'All' }] });
    const { UserPoolClient } = await region.cognito.send(new CreateUserPoolClientCommand(m2mClient(poolId, ['orders/read', 'https://api.example.com/v1/admin'])));
    assert.deepEqual(UserPoolClient!.AllowedOAuthScopes, ['orders/read', 'https://api.example.com/v1/admin']);
    for (const scope of ['orders/delete', 'Orders/read', 'orders', 'orders/', 'https://api.example.com/admin', 'other/read']) {
      await assert.rejects(region.cognito.send(new CreateUserPoolClientCommand(m2mClient(poolId, [scope]))), { name: 'ScopeDoesNotExistException', message: `Invalid scope requested: ${scope}` });
    }
    // Another pool's resource servers are not this pool's.
    await assert.rejects(region.cognito.send(new CreateUserPoolClientCommand(m2mClient(await newPool(), ['orders/read']))), { name: 'ScopeDoesNotExistException' });
  });

  test('deleting a resource server (or a scope) that clients still name succeeds; the clients keep working, the scope is gone', async () => {
    const poolId = await newPool();
    await createServer(poolId);
    const client = (await region.cognito.send(new CreateUserPoolClientCommand(m2mClient(poolId, ['orders/read', 'orders/write'])))).UserPoolClient!;

    await region.cognito.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
    const update = (scopes: string[]) =>
      region.cognito.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: client.ClientId!,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: scopes,
        }),
      );
    await assert.rejects(update(['orders/read', 'orders/write']), { name: 'ScopeDoesNotExistException', message: 'Invalid scope requested: orders/write' });
    await update(['orders/read']);

    await region.cognito.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' }));
    await assert.rejects(region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' })), { name: 'ResourceNotFoundException' });
    const described = await region.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId! }));
    assert.deepEqual(described.UserPoolClient!.AllowedOAuthScopes, ['orders/read']);
    await assert.rejects(update(['orders/read']), { name: 'ScopeDoesNotExistException' });
    // Recreated, the scope exists again.
    await createServer(poolId);
    await update(['orders/read']);
  });

  test('deleting the pool removes its resource servers', async () => {
    const poolId = await newPool();
    await createServer(poolId);
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    await assert.rejects(region.cognito.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders' })), {
      name: 'ResourceNotFoundException',
      message: `User pool ${poolId} does not exist.`,
    });
  });

  test('resource server actions need IAM credentials', async () => {
    const poolId = await newPool();
    const unknownKey = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever-0000000000000000000000' });
    await assert.rejects(unknownKey.send(new ListResourceServersCommand({ UserPoolId: poolId })), { name: 'UnrecognizedClientException' });
    await assert.rejects(unknownKey.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'x', Name: 'x' })), { name: 'UnrecognizedClientException' });
  });
});
