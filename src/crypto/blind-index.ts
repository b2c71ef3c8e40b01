import { createHmac } from 'node:crypto';

/**
 * A blind index: HMAC-SHA256 of a normalized value under the pool's index key. Equal values give
 * equal digests (so lookups work), but the digest reveals nothing without the key. The kind and
 * attribute name are mixed in so the same email in two attributes gives unrelated digests.
 */
export function blindIndex(indexKey: Buffer, kind: string, name: string, normalizedValue: string): string {
  return createHmac('sha256', indexKey).update(`${kind}\u0000${name}\u0000${normalizedValue}`).digest('base64url');
}
