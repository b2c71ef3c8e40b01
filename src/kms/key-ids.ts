import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Key ids, ARNs and the four ways the KMS API names a key (Developer Guide, "Key identifiers"):
 * key id, key ARN, alias name, alias ARN. Single-Region key ids are UUIDs; multi-Region ones are
 * `mrk-` and 32 hex digits, the same in every Region that holds the key.
 */
export const KEY_ID_PATTERN = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN_PATTERN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN_PATTERN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
}

export function isMultiRegionKeyId(keyId: string): boolean {
  return keyId.startsWith('mrk-');
}

export function keyArnOf(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArnOf(region: string, accountId: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
}

export type KeyIdentifier = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

/**
 * Reads a KeyId parameter. ARNs must name this Region and account (KMS keys are regional);
 * anything else, or a malformed value, gives null, which callers answer with NotFoundException.
 */
export function parseKeyIdentifier(text: string, region: string, accountId: string): KeyIdentifier | null {
  if (text.startsWith('alias/')) return { kind: 'alias', aliasName: text };
  const keyArn = KEY_ARN_PATTERN.exec(text);
  if (keyArn) {
    const [, arnRegion, arnAccount, keyId] = keyArn as unknown as [string, string, string, string];
    return arnRegion === region && arnAccount === accountId && KEY_ID_PATTERN.test(keyId) ? { kind: 'key', keyId } : null;
  }
  const aliasArn = ALIAS_ARN_PATTERN.exec(text);
  if (aliasArn) {
    const [, arnRegion, arnAccount, aliasName] = aliasArn as unknown as [string, string, string, string];
    return arnRegion === region && arnAccount === accountId ? { kind: 'alias', aliasName } : null;
  }
  return KEY_ID_PATTERN.test(text) ? { kind: 'key', keyId: text } : null;
}

/**
 * The ARN of the same multi-Region key in `region`: a pool replicated from us-east-1 names its key
 * by the us-east-1 ARN, and eu-west-1 must use its own replica of that key. Other references
 * (single-Region keys, aliases) are returned unchanged.
 */
export function keyArnInRegion(reference: string, region: string): string {
  const match = KEY_ARN_PATTERN.exec(reference);
  if (!match) return reference;
  const [, , accountId, keyId] = match as unknown as [string, string, string, string];
  return isMultiRegionKeyId(keyId) ? keyArnOf(region, accountId, keyId) : reference;
}
