import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT_KEY_BYTES = 32;

/**
 * The region's root key: the stand-in for an HSM-held master key. Everything the region encrypts
 * with a service-owned key is wrapped under keys derived from it, so losing it loses the data and
 * leaking it leaks only what is also stolen with the database.
 *
 * Taken from MERIDIAN_ROOT_KEY (64 hex characters or base64 of 32 bytes) when set, else from
 * `<dataDir>/root.key`, created with mode 0600 on first start.
 */
export function loadRootKey(dataDir: string, fromEnvironment = process.env.MERIDIAN_ROOT_KEY): Buffer {
  if (fromEnvironment) return parseRootKey(fromEnvironment);
  const file = join(dataDir, 'root.key');
  if (existsSync(file)) return parseRootKey(readFileSync(file, 'utf8').trim());
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(ROOT_KEY_BYTES);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function parseRootKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== ROOT_KEY_BYTES) throw new Error('root key must be 32 bytes (64 hex characters or base64)');
  return key;
}
