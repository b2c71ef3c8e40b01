import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** True when generated now: the caller prints them once so the operator can use them. */
  generated: boolean;
}

/**
 * Admin credentials from MERIDIAN_ADMIN_ACCESS_KEY_ID / MERIDIAN_ADMIN_SECRET_ACCESS_KEY, else the
 * ones generated on a previous start (`<dataDir>/admin-credentials.json`, mode 0600), else new ones.
 * Keeping generated ones means a restarted region still accepts the operator's configured SDK.
 */
export function resolveAdminCredentials(dataDir: string, environment: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const accessKeyId = environment.MERIDIAN_ADMIN_ACCESS_KEY_ID;
  const secretAccessKey = environment.MERIDIAN_ADMIN_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, generated: false };
  const file = join(dataDir, 'admin-credentials.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    return { ...saved, generated: false };
  }
  const created = {
    accessKeyId: 'AKIA' + randomBytes(10).toString('hex').toUpperCase().slice(0, 16),
    secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
  return { ...created, generated: true };
}
