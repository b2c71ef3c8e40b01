import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { kmsOf } from '../../src/kms/kms-region.ts';
import { startTestRegion, TEST_ADMIN, TestClock, type TestRegion } from '../support/region.ts';

const ROOT = 'arn:aws:iam::000000000000:root';

/** The minimal policy docs/KEYS.md tells customers to grant, restricted to this region's pools. */
function poolKeyPolicy(options: { grantCognito: boolean }): string {
  const statements: unknown[] = [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }];
  if (options.grantCognito) {
    statements.push(
      {
        Sid: 'Meridian user pools',
        Effect: 'Allow',
        Principal: { Service: 'cognito-idp.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:Encrypt'],
        Resource: '*',
        Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_*' } },
      },
      { Sid: 'Describe', Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
    );
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('user pools under a customer-managed KMS key', () => {
  const clock = new TestClock();
  let region: TestRegion;
  let kms: KMSClient;

  before(async () => {
    region = await startTestRegion({ dataKeyCacheSeconds: 60 }, { now: clock.now });
    kms = new KMSClient({ region: 'us-east-1', endpoint: region.url, credentials: TEST_ADMIN, maxAttempts: 1 });
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  const newKey = async (grantCognito = true) => (await kms.send(new CreateKeyCommand({ Policy: poolKeyPolicy({ grantCognito }) }))).KeyMetadata!.Arn!;

  async function poolOnKey(keyArn: string) {
    const poolId = (
      await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'cmk', KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } }))
    ).UserPool!.Id!;
    const clientId = (
      await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))
    ).UserPoolClient!.ClientId!;
    for (const username of ['ann', 'ben', 'cy']) {
      await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: 'Cmk-Passw0rd!', Permanent: true }));
    }
    const signIn = (username: string) =>
      region.cognito.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: 'Cmk-Passw0rd!' } }));
    return { poolId, signIn };
  }

  test('a key whose policy does not grant the pool is refused at CreateUserPool, naming what is missing', async () => {
    const keyArn = await newKey(false);
    await assert.rejects(
      region.cognito.send(new CreateUserPoolCommand({ PoolName: 'refused', KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } })),
      (error: Error) => {
        assert.equal(error.name, 'InvalidParameterException');
        assert.match(error.message, /kms:DescribeKey|kms:GenerateDataKey|kms:Decrypt/);
        return true;
      },
    );
  });

  test('disabling the key cuts the pool off within the cache lifetime; re-enabling restores every user', async () => {
    const keyArn = await newKey();
    const { poolId, signIn } = await poolOnKey(keyArn);
    assert.deepEqual((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.KeyConfiguration, {
      KeyType: 'CUSTOMER_MANAGED_KEY',
      KmsKeyArn: keyArn,
    });
    assert.ok((await signIn('ann')).AuthenticationResult?.AccessToken);

    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    clock.advance(61_000);
    for (const attempt of [
      () => region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann' })),
      () => signIn('ben'),
    ]) {
      await assert.rejects(attempt(), (error: Error) => {
        assert.equal(error.name, 'InvalidUserPoolConfigurationException');
        assert.match(error.message, /KMS key/);
        assert.match(error.message, /disabled/);
        return true;
      });
    }

    await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    for (const username of ['ann', 'ben', 'cy']) {
      assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).Username, username);
      assert.ok((await signIn(username)).AuthenticationResult?.IdToken);
    }

    const events = await kmsOf(region.region.app).keys.asPrincipal({ arn: ROOT }).listAuditEvents({ KeyId: keyArn, Limit: 1000 });
    const poolCalls = events.Events.filter((event) => event.Principal.includes('cognito-idp.amazonaws.com'));
    assert.ok(poolCalls.some((event) => event.Action === 'GenerateDataKey' && event.EncryptionContext?.userPoolId === poolId && event.Outcome === 'success'));
    assert.ok(poolCalls.some((event) => event.Action === 'Decrypt' && event.EncryptionContext?.userPoolId === poolId && event.Outcome === 'DisabledException'));
    assert.ok(poolCalls.some((event) => event.Action === 'Decrypt' && event.EncryptionContext?.userPoolId === poolId && event.Outcome === 'success'));
  });

  test('switching keys re-wraps the data key: users stay readable, the old key no longer matters', async () => {
    const firstKey = await newKey();
    const secondKey = await newKey();
    const { poolId, signIn } = await poolOnKey(firstKey);
    await region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: secondKey } }));
    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.KeyConfiguration?.KmsKeyArn, secondKey);
    await kms.send(new DisableKeyCommand({ KeyId: firstKey }));
    clock.advance(61_000);
    assert.ok((await signIn('cy')).AuthenticationResult?.AccessToken);

    await region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, KeyConfiguration: { KeyType: 'AWS_OWNED_KEY' } }));
    await kms.send(new DisableKeyCommand({ KeyId: secondKey }));
    clock.advance(61_000);
    assert.equal((await region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann' }))).Username, 'ann');
    await assert.rejects(
      region.cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: secondKey } })),
      { name: 'InvalidParameterException' },
      'a disabled key is refused before anything changes',
    );
  });

  test('deleting the key after its waiting period makes the pool permanently unreadable, and says so', async () => {
    const keyArn = await newKey();
    const { poolId } = await poolOnKey(keyArn);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    clock.advance(8 * 24 * 3600 * 1000);
    await kmsOf(region.region.app).keys.sweep();
    await assert.rejects(region.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann' })), (error: Error) => {
      assert.equal(error.name, 'InvalidUserPoolConfigurationException');
      assert.match(error.message, /does not exist|deleted/);
      assert.match(error.message, /permanently unreadable/);
      return true;
    });
  });
});

describe('user pools under a key of an external AWS-KMS-compatible service', () => {
  test('a region configured with an external KMS (here a second Meridian region) uses it for pool keys', async () => {
    const clock = new TestClock();
    const keyRegion = await startTestRegion({ region: 'us-east-1' }, { now: clock.now });
    const poolRegion = await startTestRegion(
      { region: 'us-east-1', dataKeyCacheSeconds: 60, externalKms: { endpoint: keyRegion.url, accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey } },
      { now: clock.now },
    );
    const kms = new KMSClient({ region: 'us-east-1', endpoint: keyRegion.url, credentials: TEST_ADMIN, maxAttempts: 1 });
    try {
      const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const poolId = (
        await poolRegion.cognito.send(new CreateUserPoolCommand({ PoolName: 'external', KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } }))
      ).UserPool!.Id!;
      await poolRegion.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ext', MessageAction: 'SUPPRESS' }));
      const calls = await kmsOf(keyRegion.region.app).keys.asPrincipal({ arn: ROOT }).listAuditEvents({ KeyId: keyArn, Limit: 100 });
      assert.ok(calls.Events.some((event) => event.Action === 'GenerateDataKey' && event.EncryptionContext?.userPoolId === poolId));
      assert.equal((await kmsOf(poolRegion.region.app).keys.asPrincipal({ arn: ROOT }).listKeys({})).Keys.length, 0, 'the local KMS was not used');

      await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
      clock.advance(61_000);
      await assert.rejects(poolRegion.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ext' })), { name: 'InvalidUserPoolConfigurationException' });
      await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
      assert.equal((await poolRegion.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ext' }))).Username, 'ext');
    } finally {
      kms.destroy();
      await poolRegion.stop();
      await keyRegion.stop();
    }
  });
});
