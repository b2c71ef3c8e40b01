import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random [A-Za-z0-9] string, uniform (rejection-free via randomInt). */
export function randomAlphanumeric(length: number, alphabet = ALPHANUMERIC): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** What a user pool id may look like (the service model's `[\w-]+_[0-9a-zA-Z]+`). */
export const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;

/** What an app client id may look like (the service model's `[\w+]+`, at most 128 characters). */
export const CLIENT_ID_PATTERN = /^[\w+]{1,128}$/;

/** Cognito's pool id form: `<region>_<9 alphanumerics>`. */
export function newUserPoolId(region: string): string {
  return `${region}_${randomAlphanumeric(9)}`;
}

/** App client ids are 26 lower-case alphanumerics in Cognito. */
export function newClientId(): string {
  return randomAlphanumeric(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** App client secrets: 51 characters of base32-like text, about 256 bits. */
export function newClientSecret(): string {
  return randomAlphanumeric(51, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** Opaque, sortable-enough internal record id with no personal meaning. */
export function newRecordId(): string {
  return randomBytes(16).toString('hex');
}
