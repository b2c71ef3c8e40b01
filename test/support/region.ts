import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parseRegionSettings, type RegionSettingsInput } from '../../src/config/settings.ts';
import { startRegion, type RegionHooks, type RunningRegion } from '../../src/regions/region-server.ts';

export const TEST_ADMIN = { accessKeyId: 'AKIATESTADMIN0000001', secretAccessKey: 'test-admin-secret-key-0123456789abcdef' };

export interface TestRegion {
  region: RunningRegion;
  url: string;
  dataDir: string;
  /** A Cognito client signed with the admin credentials. */
  cognito: CognitoIdentityProviderClient;
  /** A Cognito client with the given (or no valid) credentials. */
  cognitoWith(credentials: { accessKeyId: string; secretAccessKey: string }): CognitoIdentityProviderClient;
  stop(): Promise<void>;
}

/**
 * Starts a region in this process on a free loopback port, with its own temporary data directory
 * (or the given database URL), for protocol tests that drive it over HTTP with the real SDK.
 */
export async function startTestRegion(overrides: Partial<RegionSettingsInput> = {}, hooks: RegionHooks = {}): Promise<TestRegion> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-test-'));
  const region = await startRegion(
    parseRegionSettings({
      region: 'us-east-1',
      port: 0,
      dataDir,
      adminAccessKeyId: TEST_ADMIN.accessKeyId,
      adminSecretAccessKey: TEST_ADMIN.secretAccessKey,
      logLevel: 'silent',
      ...overrides,
    }),
    hooks,
  );
  const clients: CognitoIdentityProviderClient[] = [];
  const cognitoWith = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const client = new CognitoIdentityProviderClient({ region: overrides.region ?? 'us-east-1', endpoint: region.url, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  return {
    region,
    url: region.url,
    dataDir,
    cognito: cognitoWith(TEST_ADMIN),
    cognitoWith,
    async stop() {
      for (const client of clients) client.destroy();
      await region.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Posts a raw AWS JSON request (for malformed-input tests the SDK would never send). */
export async function postAwsJson(url: string, target: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> | null; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

/** A clock tests move by hand, so nothing depends on how fast the machine is. */
export class TestClock {
  constructor(private current = Date.now()) {}

  readonly now = (): number => this.current;

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
