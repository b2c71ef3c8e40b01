import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { createMachineClient } from '../oauth/support/oauth-pool.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';

/**
 * Requests by ClientId and by domain find their pool through routes this process remembers
 * (PoolVault rememberedPoolOfRoute) and confirm them in the pool's records. Two servers on one
 * data folder, as `serve --workers` runs them: one server changes the routes, the other, which
 * remembers the old ones, must follow at once.
 */
describe('remembered routes follow changes made by another server on the same data', () => {
  let changer: TestRegion;
  let remembering: TestRegion;
  before(async () => {
    changer = await startTestRegion();
    remembering = await startTestRegion({ dataDir: changer.dataDir });
  });
  after(async () => {
    await remembering.region.close();
    await changer.stop();
  });

  async function m2mPool(domain: string): Promise<{ poolId: string; clientId: string; secret: string }> {
    const poolId = (await changer.cognito.send(new CreateUserPoolCommand({ PoolName: 'routes' }))).UserPool!.Id!;
    await changer.cognito.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
    await changer.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
    const client = await createMachineClient(changer, poolId);
    return { poolId, clientId: client.ClientId!, secret: client.ClientSecret! };
  }

  async function grant(domain: string, client: { clientId: string; secret: string }): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${remembering.url}/${domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  test('a domain moved to another pool leads to that pool; a domain gone with its pool is 404', async () => {
    const moving = `moving-${process.pid}`;
    const first = await m2mPool(moving);
    const second = await m2mPool(`staying-${process.pid}`);
    const before = await grant(moving, first);
    assert.equal(before.status, 200, JSON.stringify(before.json));
    assert.equal(decodeJwt(String(before.json.access_token)).iss, `${remembering.url}/${first.poolId}`);

    await changer.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: first.poolId, Domain: moving }));
    assert.equal((await grant(moving, first)).status, 404);
    await changer.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: second.poolId, Domain: `staying-${process.pid}` }));
    await changer.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: second.poolId, Domain: moving }));

    const moved = await grant(moving, second);
    assert.equal(moved.status, 200, JSON.stringify(moved.json));
    assert.equal(decodeJwt(String(moved.json.access_token)).iss, `${remembering.url}/${second.poolId}`);
    // The first pool's client is not a client of the pool the domain names now.
    const stranger = await grant(moving, first);
    assert.equal(stranger.status, 401);
    assert.equal(stranger.json.error, 'invalid_client');

    await changer.cognito.send(new DeleteUserPoolCommand({ UserPoolId: second.poolId }));
    const gone = await grant(moving, second);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error, 'not_found');
  });

  test('a ClientId stops leading to its pool once the client or the pool is deleted elsewhere', async () => {
    const poolId = (await changer.cognito.send(new CreateUserPoolCommand({ PoolName: 'clients' }))).UserPool!.Id!;
    const newClient = async () =>
      (await changer.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient!.ClientId!;
    const [deletedClient, keptClient] = [await newClient(), await newClient()];
    await changer.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
    await changer.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Passw0rd!route', Permanent: true }));
    const signIn = (clientId: string) =>
      remembering.cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!route' } }));

    for (const clientId of [deletedClient, keptClient]) assert.ok((await signIn(clientId)).AuthenticationResult?.AccessToken);
    await changer.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: deletedClient }));
    await assert.rejects(signIn(deletedClient), { name: 'ResourceNotFoundException', message: `User pool client ${deletedClient} does not exist.` });
    assert.ok((await signIn(keptClient)).AuthenticationResult?.AccessToken);

    await changer.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    await assert.rejects(signIn(keptClient), { name: 'ResourceNotFoundException', message: `User pool client ${keptClient} does not exist.` });
  });
});
