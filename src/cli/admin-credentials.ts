import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AdminCredentials extends AccessKey {
  /** True when generated now: the caller prints them once so the operator can use them. */
  generated: boolean;
}

/** Where a data directory (or the folder of a region catalog) keeps the admin credentials. */
export function adminCredentialsFile(directory: string): string {
  return join(resolve(directory), 'admin-credentials.json');
}

/**
 * The admin credentials, as every command finds them: MERIDIAN_ADMIN_ACCESS_KEY_ID and
 * MERIDIAN_ADMIN_SECRET_ACCESS_KEY when both are set, else `<directory>/admin-credentials.json`
 * when there is one (no directory: the environment only). Null when neither has them: what to do
 * then (generate, or tell the operator) is the command's to say.
 */
export function readAdminCredentials(directory: string | null, environment: NodeJS.ProcessEnv = process.env): AccessKey | null {
  const accessKeyId = environment.MERIDIAN_ADMIN_ACCESS_KEY_ID;
  const secretAccessKey = environment.MERIDIAN_ADMIN_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
  const file = directory === null ? null : adminCredentialsFile(directory);
  if (!file || !existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as AccessKey;
  return { accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey };
}

/**
 * For the servers (`serve`, `up`): the admin credentials readAdminCredentials finds in `dataDir`,
 * else new ones saved there (mode 0600). Keeping generated ones means a restarted region still
 * accepts the operator's configured SDK.
 */
export function resolveAdminCredentials(dataDir: string, environment: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const found = readAdminCredentials(dataDir, environment);
  if (found) return { ...found, generated: false };
  const created = {
    accessKeyId: 'AKIA' + randomBytes(10).toString('hex').toUpperCase().slice(0, 16),
    secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(adminCredentialsFile(dataDir), JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
  return { ...created, generated: true };
}
