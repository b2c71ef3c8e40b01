import { createHmac } from 'node:crypto';

/**
 * Digests already computed, per index key: the hot paths look the same few values up on every
 * request (an app client's resource servers, a user's groups), and an HMAC costs more than the
 * look-up it serves. Weakly held by the key, so a pool's digests go when its keys do; each bounded
 * (oldest first out). They hold plaintext lookup values in memory, as the record read cache holds
 * the records themselves; secrets never go through here (`keyedDigest` is not remembered).
 */
const memos = new WeakMap<Buffer, Map<string, string>>();
const MEMO_LIMIT = 4_096;

/**
 * A blind index: HMAC-SHA256 of a normalized value under the pool's index key. Equal values give
 * equal digests (so lookups work), but the digest reveals nothing without the key. The kind and
 * attribute name are mixed in so the same email in two attributes gives unrelated digests.
 */
export function blindIndex(indexKey: Buffer, kind: string, name: string, normalizedValue: string): string {
  const input = `${kind}\u0000${name}\u0000${normalizedValue}`;
  let memo = memos.get(indexKey);
  if (!memo) memos.set(indexKey, (memo = new Map()));
  let digest = memo.get(input);
  if (digest === undefined) {
    digest = keyedDigest(indexKey, input);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    memo.set(input, digest);
  }
  return digest;
}

/** HMAC-SHA256 (base64url) of `input`, computed every time: for values that may be secrets. */
export function keyedDigest(indexKey: Buffer, input: string): string {
  return createHmac('sha256', indexKey).update(input).digest('base64url');
}
