import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestRegion, type TestRegion } from '../support/region.ts';

describe('user pools over the Cognito API', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  test('CreateUserPool returns the pool with Cognito id, ARN, defaults and custom attributes', async () => {
    const { UserPool } = await region.cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'create-test',
        UsernameAttributes: ['email'],
        Policies: { PasswordPolicy: { MinimumLength: 10, RequireSymbols: false } },
        Schema: [
          { Name: 'tenant', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MaxLength: '64' } },
          { Name: 'email', Required: true },
        ],
        UserPoolTier: 'PLUS',
        UserPoolTags: { team: 'identity' },
      }),
    );
    assert.ok(UserPool?.Id);
    assert.match(UserPool.Id, /^us-east-1_[0-9A-Za-z]{9}$/);
    assert.equal(UserPool.Arn, `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${UserPool.Id}`);
    assert.equal(UserPool.Name, 'create-test');
    assert.deepEqual(UserPool.UsernameAttributes, ['email']);
    assert.equal(UserPool.Policies?.PasswordPolicy?.MinimumLength, 10);
    assert.equal(UserPool.Policies?.PasswordPolicy?.RequireSymbols, false);
    assert.equal(UserPool.Policies?.PasswordPolicy?.RequireUppercase, true);
    assert.equal(UserPool.UserPoolTier, 'PLUS');
    assert.equal(UserPool.DeletionProtection, 'INACTIVE');
    assert.ok(UserPool.CreationDate instanceof Date);
    const custom = UserPool.SchemaAttributes?.find((attribute) => attribute.Name === 'custom:tenant');
    assert.equal(custom?.StringAttributeConstraints?.MaxLength, '64');
    assert.equal(UserPool.SchemaAttributes?.find((attribute) => attribute.Name === 'email')?.Required, true);
    assert.deepEqual(UserPool.UserPoolTags, { team: 'identity' });
  });

  test('CreateUserPool rejects bad input with InvalidParameterException', async () => {
    await assert.rejects(region.cognito.send(new CreateUserPoolCommand({ PoolName: '' })), { name: 'InvalidParameterException' });
    await assert.rejects(
      region.cognito.send(new CreateUserPoolCommand({ PoolName: 'x', UsernameAttributes: ['email'], AliasAttributes: ['email'] })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      region.cognito.send(new CreateUserPoolCommand({ PoolName: 'x', Schema: [{ Name: 'req', AttributeDataType: 'String', Required: true }] })),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      region.cognito.send(new CreateUserPoolCommand({ PoolName: 'x', Policies: { PasswordPolicy: { MinimumLength: 3 } } })),
      { name: 'InvalidParameterException' },
    );
  });

  test('DescribeUserPool and UpdateUserPool; an update resets omitted settings like Cognito', async () => {
    const { UserPool } = await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'update-test', MfaConfiguration: 'OFF', AutoVerifiedAttributes: ['email'] }));
    const id = UserPool!.Id!;
    await region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: id, DeletionProtection: 'ACTIVE', Policies: { PasswordPolicy: { MinimumLength: 12 } } }));
    const described = (await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool!;
    assert.equal(described.DeletionProtection, 'ACTIVE');
    assert.equal(described.Policies?.PasswordPolicy?.MinimumLength, 12);
    assert.equal(described.AutoVerifiedAttributes, undefined);
    assert.equal(described.Name, 'update-test');
    assert.equal(described.EstimatedNumberOfUsers, 0);
    assert.ok(described.LastModifiedDate! >= described.CreationDate!);
  });

  test('deletion protection blocks DeleteUserPool until turned off; deleted pools are gone', async () => {
    const { UserPool } = await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'delete-test', DeletionProtection: 'ACTIVE' }));
    const id = UserPool!.Id!;
    await assert.rejects(region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: id })), { name: 'InvalidParameterException' });
    await region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: id, DeletionProtection: 'INACTIVE' }));
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: id }));
    await assert.rejects(region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: id })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: id })), { name: 'ResourceNotFoundException' });
    await assert.rejects(region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: id })), { name: 'ResourceNotFoundException' });
  });

  test('ListUserPools pages with MaxResults and NextToken and sees every pool once', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      created.add((await region.cognito.send(new CreateUserPoolCommand({ PoolName: `list-${i}` }))).UserPool!.Id!);
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await region.cognito.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: token }));
      assert.ok(page.UserPools!.length <= 2);
      seen.push(...page.UserPools!.map((pool) => pool.Id!));
      token = page.NextToken;
    } while (token);
    for (const id of created) assert.ok(seen.includes(id));
    assert.equal(new Set(seen).size, seen.length);
    await assert.rejects(region.cognito.send(new ListUserPoolsCommand({ MaxResults: 0 })), { name: 'InvalidParameterException' });
    await assert.rejects(region.cognito.send(new ListUserPoolsCommand({ MaxResults: 5, NextToken: 'bogus' })), { name: 'InvalidParameterException' });
  });

  test('admin actions refuse unsigned, unknown-key and wrongly signed requests', async () => {
    const wrongSecret = region.cognitoWith({ accessKeyId: 'AKIATESTADMIN0000001', secretAccessKey: 'not-the-secret-0000000000000000' });
    await assert.rejects(wrongSecret.send(new ListUserPoolsCommand({ MaxResults: 1 })), { name: 'InvalidSignatureException' });
    const unknownKey = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever-0000000000000000000000' });
    await assert.rejects(unknownKey.send(new ListUserPoolsCommand({ MaxResults: 1 })), { name: 'UnrecognizedClientException' });
  });
});

describe('SigV4 coverage', () => {
  let region: TestRegion;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  /** A raw signed ListUserPools, leaving `unsigned` of its headers out of the signature, with or without a body hash header. */
  async function listUserPools(options: { unsigned: string[]; checksumHeader: boolean; sentBody?: string }): Promise<{ status: number; type?: string }> {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const { Sha256 } = await import('@aws-crypto/sha256-js');
    const { TEST_ADMIN } = await import('../support/region.ts');
    const endpoint = new URL(region.url);
    const body = JSON.stringify({ MaxResults: 1 });
    const signer = new SignatureV4({ credentials: TEST_ADMIN, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256, uriEscapePath: true, applyChecksum: options.checksumHeader });
    const request = new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' },
      body,
    });
    const signed = await signer.sign(request, { unsignableHeaders: new Set(options.unsigned) });
    assert.ok(options.unsigned.every((name) => !String(signed.headers.authorization).includes(name)));
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
    const response = await fetch(region.url, { method: 'POST', headers, body: options.sentBody ?? body });
    return { status: response.status, type: ((await response.json()) as { __type?: string }).__type };
  }

  test('a signature that leaves out X-Amz-Target or Host is refused: it could be replayed as another action', async () => {
    assert.deepEqual(await listUserPools({ unsigned: [], checksumHeader: true }), { status: 200, type: undefined });
    assert.deepEqual(await listUserPools({ unsigned: ['x-amz-target'], checksumHeader: true }), { status: 400, type: 'InvalidSignatureException' });
    assert.deepEqual(await listUserPools({ unsigned: ['host'], checksumHeader: true }), { status: 400, type: 'InvalidSignatureException' });
  });

  test('another body under a captured signature is refused, with or without the body hash header', async () => {
    const other = JSON.stringify({ MaxResults: 2 });
    assert.deepEqual(await listUserPools({ unsigned: [], checksumHeader: true, sentBody: other }), { status: 400, type: 'InvalidSignatureException' });
    assert.deepEqual(await listUserPools({ unsigned: [], checksumHeader: false, sentBody: other }), { status: 400, type: 'InvalidSignatureException' });
  });

  test('a request signed without an x-amz-content-sha256 header (the AWS CLI, boto3) is accepted', async () => {
    assert.deepEqual(await listUserPools({ unsigned: [], checksumHeader: false }), { status: 200, type: undefined });
  });
});

describe('SigV4 scope', () => {
  test('a signature scoped to another region is refused', async () => {
    const { startTestRegion: start } = await import('../support/region.ts');
    const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
    const { TEST_ADMIN } = await import('../support/region.ts');
    const region = await start();
    const elsewhere = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: region.url, credentials: TEST_ADMIN, maxAttempts: 1 });
    try {
      await assert.rejects(elsewhere.send(new ListUserPoolsCommand({ MaxResults: 1 })), { name: 'InvalidSignatureException' });
    } finally {
      elsewhere.destroy();
      await region.stop();
    }
  });
});
