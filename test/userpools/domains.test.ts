import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  UpdateUserPoolDomainCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DOMAIN_ROUTE } from '../../src/userpools/domains/user-pool-domain.ts';
import { startTestRegion, type TestRegion } from '../support/region.ts';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('user pool domains over the Cognito API', () => {
  let region: TestRegion;
  let serial = 0;
  before(async () => {
    region = await startTestRegion();
  });
  after(async () => {
    await region.stop();
  });

  async function newPool(options: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
    return (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'domains-test', ...options }))).UserPool!.Id!;
  }

  /** A prefix no other test uses (tests share the region, and prefixes are region-wide). */
  function freshPrefix(label: string): string {
    serial += 1;
    return `${label}-${process.pid}-${serial}`;
  }

  const createDomain = (poolId: string, domain: string, extra: Record<string, unknown> = {}) =>
    region.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, ...extra }));
  const describeDomain = async (domain: string) => (await region.cognito.send(new DescribeUserPoolDomainCommand({ Domain: domain }))).DomainDescription;

  test('a prefix domain is created, described, shown by DescribeUserPool and routed to its pool', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('my-app');
    const created = await createDomain(poolId, prefix);
    assert.equal(created.ManagedLoginVersion, 1);
    assert.equal(created.CloudFrontDomain, undefined);

    const description = await describeDomain(prefix);
    assert.equal(description?.UserPoolId, poolId);
    assert.equal(description?.Domain, prefix);
    assert.equal(description?.AWSAccountId, '000000000000');
    assert.equal(description?.Status, 'ACTIVE');
    assert.equal(description?.ManagedLoginVersion, 1);
    assert.match(description?.Version ?? '', /^\d{14}$/);
    assert.equal(description?.CustomDomainConfig, undefined);

    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.Domain, prefix);
    assert.equal((await region.region.store.findRoute(DOMAIN_ROUTE, prefix))?.poolId, poolId);
  });

  test('one prefix domain per pool; a prefix belongs to one pool in the region', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('taken');
    await createDomain(poolId, prefix);
    await assert.rejects(createDomain(poolId, freshPrefix('second')), { name: 'InvalidParameterException', message: 'User pool already has a domain configured.' });
    await assert.rejects(createDomain(await newPool(), prefix), { name: 'InvalidParameterException', message: 'Domain already associated with another user pool.' });
  });

  test('prefix rules: lower-case letters, digits and hyphens, 1 to 63, no edge hyphens, no aws/amazon/cognito', async () => {
    const poolId = await newPool();
    const invalid = ['My-App', '-leading', 'trailing-', 'under_score', 'dot.ted', 'x'.repeat(64), 'myaws', 'amazon-shop', 'pre-cognito-fix', ''];
    for (const prefix of invalid) await assert.rejects(createDomain(poolId, prefix), { name: 'InvalidParameterException' }, prefix);
    assert.equal((await createDomain(poolId, freshPrefix('b').padEnd(63, 'z'))).ManagedLoginVersion, 1);
    assert.equal((await createDomain(await newPool(), '7')).ManagedLoginVersion, 1);
  });

  test('an unknown domain is described as an empty DomainDescription, as Cognito does', async () => {
    const description = await describeDomain(freshPrefix('nobody'));
    assert.deepEqual(description, {});
  });

  test('UpdateUserPoolDomain changes the managed login version, which needs the Essentials tier or higher', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('versions');
    await createDomain(poolId, prefix);
    const updated = await region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix, ManagedLoginVersion: 2 }));
    assert.equal(updated.ManagedLoginVersion, 2);
    assert.equal((await describeDomain(prefix))?.ManagedLoginVersion, 2);
    // Left out, the version is kept.
    assert.equal((await region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }))).ManagedLoginVersion, 2);
    await assert.rejects(region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix, ManagedLoginVersion: 3 })), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix, CustomDomainConfig: { CertificateArn: CERTIFICATE } })), {
      name: 'InvalidParameterException',
    });

    const litePool = await newPool({ UserPoolTier: 'LITE' });
    await assert.rejects(createDomain(litePool, freshPrefix('lite'), { ManagedLoginVersion: 2 }), { name: 'FeatureUnavailableInTierException' });
    const litePrefix = freshPrefix('lite');
    await createDomain(litePool, litePrefix);
    await assert.rejects(region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: litePool, Domain: litePrefix, ManagedLoginVersion: 2 })), {
      name: 'FeatureUnavailableInTierException',
    });
  });

  test('a custom domain with a certificate sits beside the prefix domain and is routed by its host name', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('with-custom');
    const host = `${freshPrefix('auth')}.example.com`;
    await createDomain(poolId, prefix);
    const created = await createDomain(poolId, host, { CustomDomainConfig: { CertificateArn: CERTIFICATE } });
    assert.equal(created.CloudFrontDomain, '127.0.0.1');
    const description = await describeDomain(host);
    assert.equal(description?.UserPoolId, poolId);
    assert.deepEqual(description?.CustomDomainConfig, { CertificateArn: CERTIFICATE });
    assert.equal(description?.CloudFrontDistribution, '127.0.0.1');
    const pool = (await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.equal(pool.Domain, prefix);
    assert.equal(pool.CustomDomain, host);
    assert.equal((await region.region.store.findRoute(DOMAIN_ROUTE, host))?.poolId, poolId);

    const renewed = CERTIFICATE.replace('1234abcd', '9999abcd');
    await region.cognito.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: host, CustomDomainConfig: { CertificateArn: renewed, SecurityPolicy: 'TLS_V1_2_2021' } }));
    assert.deepEqual((await describeDomain(host))?.CustomDomainConfig, { CertificateArn: renewed, SecurityPolicy: 'TLS_V1_2_2021' });

    await assert.rejects(createDomain(poolId, `other.${host}`, { CustomDomainConfig: { CertificateArn: CERTIFICATE } }), {
      name: 'InvalidParameterException',
      message: 'User pool already has a custom domain configured.',
    });
    await assert.rejects(createDomain(await newPool(), 'no-dots', { CustomDomainConfig: { CertificateArn: CERTIFICATE } }), { name: 'InvalidParameterException' });
    await assert.rejects(createDomain(await newPool(), 'x.example.com', { CustomDomainConfig: { CertificateArn: 'not-an-arn-at-all-really' } }), { name: 'InvalidParameterException' });
    await assert.rejects(createDomain(await newPool(), freshPrefix('routing'), { Routing: { Failover: { SecondaryRegion: 'eu-west-1', PrimaryRoute53HealthCheckId: 'x' } } }), {
      name: 'InvalidParameterException',
    });
  });

  test('DeleteUserPoolDomain frees the domain; only the owning pool can delete it', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('deleted');
    await createDomain(poolId, prefix);
    const otherPool = await newPool();
    await assert.rejects(region.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: otherPool, Domain: prefix })), {
      name: 'InvalidParameterException',
      message: 'No such domain or user pool exists.',
    });
    await assert.rejects(region.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: 'us-east-1_Missing00', Domain: prefix })), { name: 'ResourceNotFoundException' });
    await region.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
    assert.deepEqual(await describeDomain(prefix), {});
    assert.equal(await region.region.store.findRoute(DOMAIN_ROUTE, prefix), null);
    assert.equal((await region.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.Domain, undefined);
    await assert.rejects(region.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix })), { name: 'InvalidParameterException' });
    // Free again, for any pool; and the first pool can take a new prefix.
    await createDomain(otherPool, prefix);
    await createDomain(poolId, freshPrefix('replacement'));
  });

  test('deleting the pool frees its domain', async () => {
    const poolId = await newPool();
    const prefix = freshPrefix('doomed');
    await createDomain(poolId, prefix);
    await region.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    assert.deepEqual(await describeDomain(prefix), {});
    assert.equal(await region.region.store.findRoute(DOMAIN_ROUTE, prefix), null);
    await createDomain(await newPool(), prefix);
  });

  test('domain actions need IAM credentials; an unknown pool is ResourceNotFoundException', async () => {
    const unknownKey = region.cognitoWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever-0000000000000000000000' });
    await assert.rejects(unknownKey.send(new DescribeUserPoolDomainCommand({ Domain: 'anything' })), { name: 'UnrecognizedClientException' });
    await assert.rejects(createDomain('us-east-1_Missing00', freshPrefix('orphan')), { name: 'ResourceNotFoundException' });
  });
});
