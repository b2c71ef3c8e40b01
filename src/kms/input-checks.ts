import type { EncryptionContext } from '../crypto/key-provider.ts';
import { InvalidKeyUsageException, TagException, ValidationException } from './errors.ts';
import type { Tag } from './key-model.ts';

/**
 * The value constraints of the KMS API reference, checked in the domain so that in-process callers
 * get them too. Failures use the wording of AWS's validation errors.
 */
function invalid(field: string, value: string, constraint: string): never {
  throw new ValidationException(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function checkLength(field: string, value: string | Uint8Array, minimum: number, maximum: number): void {
  const length = value.length;
  const shown = typeof value === 'string' ? value.slice(0, 64) : `<${length} bytes>`;
  if (length < minimum) invalid(field, shown, `Member must have length greater than or equal to ${minimum}`);
  if (length > maximum) invalid(field, shown, `Member must have length less than or equal to ${maximum}`);
}

export function checkRange(field: string, value: number, minimum: number, maximum: number): void {
  if (!Number.isInteger(value) || value < minimum) invalid(field, String(value), `Member must have value greater than or equal to ${minimum}`);
  if (value > maximum) invalid(field, String(value), `Member must have value less than or equal to ${maximum}`);
}

export function checkEnum(field: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) invalid(field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;

/** Symmetric keys take only SYMMETRIC_DEFAULT; the asymmetric algorithms are the wrong key usage. */
export function checkEncryptionAlgorithm(field: string, algorithm: string | undefined): void {
  if (algorithm === undefined) return;
  checkEnum(field, algorithm, ENCRYPTION_ALGORITHMS);
  if (algorithm !== 'SYMMETRIC_DEFAULT') throw new InvalidKeyUsageException(`The encryption algorithm ${algorithm} is not supported by symmetric encryption KMS keys.`);
}

export function checkEncryptionContext(context: EncryptionContext | undefined): EncryptionContext {
  if (context === undefined) return {};
  for (const [name, value] of Object.entries(context)) {
    if (typeof value !== 'string') invalid('encryptionContext', name, 'Member must be a map of strings');
  }
  if (JSON.stringify(context).length > 8192) invalid('encryptionContext', '<map>', 'Encryption context must be at most 8192 characters');
  return context;
}

export const MAXIMUM_DESCRIPTION_LENGTH = 8192;

export function checkTags(tags: Tag[] | undefined): Tag[] {
  if (tags === undefined) return [];
  const seen = new Set<string>();
  for (const tag of tags) {
    if (typeof tag.TagKey !== 'string' || tag.TagKey.length < 1 || tag.TagKey.length > 128) throw new TagException('Tag keys must be 1 to 128 characters.');
    if (typeof tag.TagValue !== 'string' || tag.TagValue.length > 256) throw new TagException('Tag values must be 0 to 256 characters.');
    if (tag.TagKey.toLowerCase().startsWith('aws:')) throw new TagException('Tag keys beginning with aws: are reserved.');
    if (seen.has(tag.TagKey)) throw new TagException(`Duplicate tag key ${tag.TagKey}.`);
    seen.add(tag.TagKey);
  }
  if (tags.length > 50) throw new TagException('A KMS key can have at most 50 tags.');
  return tags.map((tag) => ({ TagKey: tag.TagKey, TagValue: tag.TagValue }));
}
