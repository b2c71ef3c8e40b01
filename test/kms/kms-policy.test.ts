import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand, ListKeyPoliciesCommand, PutKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { parseKeyPolicy } from '../../src/kms/policy/policy-document.ts';
import { evaluatePolicy, type AuthorizationRequest } from '../../src/kms/policy/policy-evaluation.ts';
import type { KmsPrincipal } from '../../src/kms/principal.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';
import { ACCOUNT_ID, COGNITO, inProcess, kmsClient, policyWith, rejectsWith, ROOT_ARN } from './kms-support.ts';

const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function request(principal: KmsPrincipal, action: string, context: Record<string, string> = {}): AuthorizationRequest {
  const keys = new Map<string, string[]>();
  for (const [name, value] of Object.entries(context)) keys.set(`kms:encryptioncontext:${name.toLowerCase()}`, [value]);
  if (Object.keys(context).length > 0) keys.set('kms:encryptioncontextkeys', Object.keys(context));
  return { principal, action, resource: KEY_ARN, conditionKeys: keys };
}

function decide(statements: object[], principal: KmsPrincipal, action: string, context: Record<string, string> = {}) {
  return evaluatePolicy(parseKeyPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements })), request(principal, action, context));
}

const cognito: KmsPrincipal = { service: COGNITO };
const root: KmsPrincipal = { arn: ROOT_ARN };
const allowCognito = (extra: object = {}) => ({ Effect: 'Allow', Principal: { Service: COGNITO }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*', ...extra });

describe('key policy evaluation', () => {
  test('allow, wildcard actions, and implicit deny for what no statement allows', () => {
    assert.equal(decide([allowCognito()], cognito, 'kms:Decrypt'), 'allow');
    assert.equal(decide([allowCognito()], cognito, 'kms:GenerateDataKeyWithoutPlaintext'), 'allow');
    assert.equal(decide([allowCognito()], cognito, 'kms:generatedatakey'), 'allow', 'action names are case-insensitive');
    assert.equal(decide([allowCognito()], cognito, 'kms:Encrypt'), 'implicit-deny');
    assert.equal(decide([allowCognito()], root, 'kms:Decrypt'), 'implicit-deny', 'the statement names another principal');
    assert.equal(decide([{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ID }, Action: 'kms:*', Resource: '*' }], root, 'kms:ScheduleKeyDeletion'), 'allow', 'an account id means its root');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', Action: 'kms:Describe*', Resource: '*' }], cognito, 'kms:DescribeKey'), 'allow');
    assert.equal(decide([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }], cognito, 'kms:DescribeKey'), 'implicit-deny', 'AWS:* is AWS principals only');
  });

  test('an explicit Deny wins over any Allow', () => {
    const statements = [allowCognito(), { Effect: 'Deny', Principal: { Service: COGNITO }, Action: 'kms:Decrypt', Resource: '*' }];
    assert.equal(decide(statements, cognito, 'kms:Decrypt'), 'explicit-deny');
    assert.equal(decide(statements, cognito, 'kms:GenerateDataKey'), 'allow');
  });

  test('NotAction, and statements without Action or Resource that never apply', () => {
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }], cognito, 'kms:Decrypt'), 'allow');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }], cognito, 'kms:ScheduleKeyDeletion'), 'implicit-deny');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', Resource: '*' }], cognito, 'kms:Decrypt'), 'implicit-deny');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', Action: 'kms:*' }], cognito, 'kms:Decrypt'), 'implicit-deny');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: 'arn:aws:kms:*:*:key/*' }], cognito, 'kms:Decrypt'), 'allow');
    assert.equal(decide([{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: 'arn:aws:kms:eu-west-1:*:key/*' }], cognito, 'kms:Decrypt'), 'implicit-deny');
  });

  test('StringEquals on kms:EncryptionContext:userPoolId', () => {
    const statements = [allowCognito({ Condition: { StringEquals: { 'kms:EncryptionContext:userPoolId': ['us-east-1_aaa', 'us-east-1_bbb'] } } })];
    assert.equal(decide(statements, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_aaa' }), 'allow');
    assert.equal(decide(statements, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_bbb' }), 'allow');
    assert.equal(decide(statements, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_ccc' }), 'implicit-deny');
    assert.equal(decide(statements, cognito, 'kms:Decrypt', { userPoolId: 'US-EAST-1_AAA' }), 'implicit-deny', 'values are case-sensitive');
    assert.equal(decide(statements, cognito, 'kms:Decrypt'), 'implicit-deny', 'an absent key fails a positive operator');
    const upperKey = [allowCognito({ Condition: { StringEquals: { 'KMS:ENCRYPTIONCONTEXT:USERPOOLID': 'us-east-1_aaa' } } })];
    assert.equal(decide(upperKey, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_aaa' }), 'allow', 'condition key names are case-insensitive');
  });

  test('StringLike, IfExists, negated operators and set qualifiers', () => {
    const like = [allowCognito({ Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_*' } } })];
    assert.equal(decide(like, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_anything' }), 'allow');
    assert.equal(decide(like, cognito, 'kms:Decrypt', { userPoolId: 'eu-west-1_x' }), 'implicit-deny');
    const single = [allowCognito({ Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_?' } } })];
    assert.equal(decide(single, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_a' }), 'allow');
    assert.equal(decide(single, cognito, 'kms:Decrypt', { userPoolId: 'us-east-1_ab' }), 'implicit-deny');
    const ifExists = [allowCognito({ Condition: { StringEqualsIfExists: { 'kms:EncryptionContext:tenant': 'blue' } } })];
    assert.equal(decide(ifExists, cognito, 'kms:Decrypt'), 'allow');
    assert.equal(decide(ifExists, cognito, 'kms:Decrypt', { tenant: 'red' }), 'implicit-deny');
    const denyOthers = [allowCognito(), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 'blue' } } }];
    assert.equal(decide(denyOthers, cognito, 'kms:Decrypt', { tenant: 'blue' }), 'allow');
    assert.equal(decide(denyOthers, cognito, 'kms:Decrypt', { tenant: 'red' }), 'explicit-deny');
    assert.equal(decide(denyOthers, cognito, 'kms:Decrypt'), 'explicit-deny', 'an absent key satisfies a negated operator');
    const onlyKnownKeys = [allowCognito({ Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userPoolId'] } } })];
    assert.equal(decide(onlyKnownKeys, cognito, 'kms:Decrypt', { userPoolId: 'x' }), 'allow');
    assert.equal(decide(onlyKnownKeys, cognito, 'kms:Decrypt', { userPoolId: 'x', other: 'y' }), 'implicit-deny');
    const anyKey = [allowCognito({ Condition: { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 'user*' } } })];
    assert.equal(decide(anyKey, cognito, 'kms:Decrypt', { other: 'y', userPoolId: 'x' }), 'allow');
    assert.equal(decide(anyKey, cognito, 'kms:Decrypt', { other: 'y' }), 'implicit-deny');
  });

  test('malformed documents are refused with MalformedPolicyDocumentException', () => {
    const bad = [
      '{',
      '[]',
      '{"Version":"2012-10-17"}',
      '{"Version":"2099-01-01","Statement":[]}',
      '{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"kms:*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"kms:*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"kms:X":"1"}}}]}',
      '{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Shout":true}]}',
    ];
    for (const text of bad) assert.throws(() => parseKeyPolicy(text), (error: Error) => error.name === 'MalformedPolicyDocumentException', text);
    assert.throws(() => parseKeyPolicy(' '.repeat(40_000)), (error: Error) => error.name === 'LimitExceededException');
  });
});

describe('key policies over the API and in-process', () => {
  let region: TestRegion;
  let kms: KMSClient;
  before(async () => {
    region = await startTestRegion();
    kms = kmsClient(region);
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  test('a new key has the default policy: the account root may do everything', async () => {
    const { KeyId } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { Policy, PolicyName } = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
    assert.equal(PolicyName, 'default');
    assert.deepEqual(JSON.parse(Policy!).Statement, [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:*', Resource: '*' }]);
    assert.deepEqual((await kms.send(new ListKeyPoliciesCommand({ KeyId }))).PolicyNames, ['default']);
    await rejectsWith(kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'other' })), 'NotFoundException');
  });

  test('PutKeyPolicy validates documents and refuses to lock the caller out', async () => {
    const { KeyId } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await rejectsWith(kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: 'not json' })), 'MalformedPolicyDocumentException', { status: 400 });
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [allowCognito()] });
    await rejectsWith(kms.send(new PutKeyPolicyCommand({ KeyId, Policy: lockout })), 'MalformedPolicyDocumentException', { message: /will not allow you to update the key policy/ });
    await rejectsWith(kms.send(new CreateKeyCommand({ Policy: lockout })), 'MalformedPolicyDocumentException');
    // With the safety check bypassed the caller can lock itself out, as in KMS.
    await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId })), 'AccessDeniedException', {
      status: 400,
      message: new RegExp(`^User: ${ROOT_ARN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not authorized to perform: kms:DescribeKey on resource: arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${KeyId} because no resource-based policy allows the kms:DescribeKey action$`),
    });
  });

  test('an explicit Deny for the root is honoured and named in the error', async () => {
    const policy = policyWith({ Sid: 'NoDeletion', Effect: 'Deny', Principal: { AWS: ROOT_ARN }, Action: 'kms:ScheduleKeyDeletion', Resource: '*' });
    const { KeyId } = (await kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!;
    assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId }))).Policy, policy);
    const { ScheduleKeyDeletionCommand } = await import('@aws-sdk/client-kms');
    await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId })), 'AccessDeniedException', { message: /kms:ScheduleKeyDeletion .* with an explicit deny in a resource-based policy$/ });
  });

  test('the cognito-idp service principal gets nothing unless the policy grants it', async () => {
    const { KeyId, Arn } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const pools = inProcess(region, { service: COGNITO });
    await rejectsWith(pools.generateDataKey({ KeyId: Arn!, KeySpec: 'AES_256', EncryptionContext: { userPoolId: 'us-east-1_aaa' } }), 'AccessDeniedException', {
      message: new RegExp(`^User: ${COGNITO} is not authorized to perform: kms:GenerateDataKey on resource: ${Arn} because no resource-based policy allows the kms:GenerateDataKey action$`),
    });
    await rejectsWith(pools.createKey({}), 'AccessDeniedException', { message: /kms:CreateKey on resource: \*/ });
    await rejectsWith(pools.listKeys({}), 'AccessDeniedException');

    // DescribeKey carries no encryption context, so a context condition would never let it
    // through: it needs its own statement (docs/KEYS.md).
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId,
        Policy: policyWith(
          allowCognito({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'kms:EncryptionContext:userPoolId': 'us-east-1_aaa' } } }),
          allowCognito({ Action: 'kms:DescribeKey' }),
        ),
      }),
    );
    const dataKey = await pools.generateDataKey({ KeyId: Arn!, KeySpec: 'AES_256', EncryptionContext: { userPoolId: 'us-east-1_aaa' } });
    assert.equal(dataKey.Plaintext.length, 32);
    assert.deepEqual((await pools.decrypt({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { userPoolId: 'us-east-1_aaa' } })).Plaintext, dataKey.Plaintext);
    assert.equal((await pools.describeKey({ KeyId: Arn! })).KeyMetadata.KeyId, KeyId);
    // Another pool's context, no context, and operations not granted are refused.
    await rejectsWith(pools.generateDataKey({ KeyId: Arn!, KeySpec: 'AES_256', EncryptionContext: { userPoolId: 'us-east-1_bbb' } }), 'AccessDeniedException');
    await rejectsWith(pools.decrypt({ CiphertextBlob: dataKey.CiphertextBlob }), 'AccessDeniedException');
    await rejectsWith(pools.encrypt({ KeyId: Arn!, Plaintext: Buffer.from('x'), EncryptionContext: { userPoolId: 'us-east-1_aaa' } }), 'AccessDeniedException');
    await rejectsWith(pools.disableKey({ KeyId: Arn! }), 'AccessDeniedException');
  });

  test('StringLike conditions and aws:SourceArn for the service principal', async () => {
    const sourceArn = `arn:aws:cognito-idp:us-east-1:${ACCOUNT_ID}:userpool/us-east-1_pool1`;
    const policy = policyWith(
      allowCognito({ Condition: { StringLike: { 'kms:EncryptionContext:userPoolId': 'us-east-1_*', 'aws:SourceArn': `arn:aws:cognito-idp:us-east-1:${ACCOUNT_ID}:userpool/*` } } }),
    );
    const { Arn } = (await kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!;
    const pools = inProcess(region, { service: COGNITO, sourceArn, sourceAccount: ACCOUNT_ID });
    await pools.generateDataKey({ KeyId: Arn!, NumberOfBytes: 32, EncryptionContext: { userPoolId: 'us-east-1_pool1' } });
    await rejectsWith(pools.generateDataKey({ KeyId: Arn!, NumberOfBytes: 32, EncryptionContext: { userPoolId: 'eu-west-1_pool1' } }), 'AccessDeniedException');
    await rejectsWith(inProcess(region, { service: COGNITO }).generateDataKey({ KeyId: Arn!, NumberOfBytes: 32, EncryptionContext: { userPoolId: 'us-east-1_pool1' } }), 'AccessDeniedException', {
      message: /no resource-based policy allows/,
    });
  });
});
