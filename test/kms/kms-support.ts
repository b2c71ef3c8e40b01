import assert from 'node:assert/strict';
import { KMSClient } from '@aws-sdk/client-kms';
import { kmsOf, type KmsRegion } from '../../src/kms/kms-region.ts';
import type { KmsClient } from '../../src/kms/kms-client.ts';
import { TEST_ADMIN, type TestRegion } from '../support/region.ts';

export const ACCOUNT_ID = '000000000000';
export const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;
export const COGNITO = 'cognito-idp.amazonaws.com';

/** A KMS SDK client (no retries) for a test region, signed with the admin credentials unless told otherwise. */
export function kmsClient(region: TestRegion, credentials = TEST_ADMIN, regionName = 'us-east-1'): KMSClient {
  return new KMSClient({ region: regionName, endpoint: region.url, credentials, maxAttempts: 1 });
}

export function kmsOfRegion(region: TestRegion): KmsRegion {
  return kmsOf(region.region.app);
}

/** The in-process client of a test region, acting as `principal`. */
export function inProcess(region: TestRegion, principal: Parameters<KmsRegion['keys']['asPrincipal']>[0]): KmsClient {
  return kmsOfRegion(region).keys.asPrincipal(principal);
}

/** Asserts that `promise` fails with the KMS error `name` (and, when given, HTTP status and message). */
export async function rejectsWith(promise: Promise<unknown>, name: string, expected: { status?: number; message?: RegExp } = {}): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number }; type?: string };
    assert.equal(failure.name, name, `expected ${name}, got ${failure.name}: ${failure.message}`);
    if (expected.status !== undefined) assert.equal(failure.$metadata?.httpStatusCode, expected.status, `HTTP status of ${name}`);
    if (expected.message) assert.match(failure.message, expected.message);
    return failure;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

/** A key policy: the default root statement plus `statements`. */
export function policyWith(...statements: object[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:*', Resource: '*' }, ...statements],
  });
}
