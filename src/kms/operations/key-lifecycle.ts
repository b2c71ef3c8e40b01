import { DAY_MS, DEFAULT_ROTATION_PERIOD_DAYS, isDeletionDue, keyFromStored, type KeyAttributes } from '../key-model.ts';
import { KMSInvalidStateException, UnsupportedOperationException, ValidationException } from '../errors.ts';
import { checkEnum, checkLength, checkRange, checkTags, MAXIMUM_DESCRIPTION_LENGTH } from '../input-checks.ts';
import { newKeyId } from '../key-ids.ts';
import { keyMetadataOf } from '../key-metadata.ts';
import { arnOf, destroyKey, requireKey, requireNotPendingDeletion, updateKey, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import { decodeMarker, pageLimit, pageOf } from '../paging.ts';
import { defaultKeyPolicy } from '../policy/default-policy.ts';
import { acceptPolicy } from './key-policies.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

const KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SYMMETRIC_DEFAULT',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024',
] as const;
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
const PENDING_WINDOW = { minimum: 7, maximum: 30, default: 30 };

/**
 * CreateKey. Meridian's KMS makes symmetric encryption keys only (SYMMETRIC_DEFAULT, AES-256-GCM,
 * KMS-generated material); other specs, origins and custom key stores are refused as unsupported
 * rather than approximated.
 */
export async function createKey(core: KmsCore, call: KmsCall, input: Input<'createKey'>): Output<'createKey'> {
  core.authorizer.authorizeAccountOperation(call.principal, 'CreateKey');
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  checkEnum('keySpec', keySpec, KEY_SPECS);
  if (keySpec !== 'SYMMETRIC_DEFAULT') throw new UnsupportedOperationException(`Meridian's KMS creates SYMMETRIC_DEFAULT keys only, not ${keySpec}.`);
  const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  checkEnum('keyUsage', keyUsage, KEY_USAGES);
  if (keyUsage !== 'ENCRYPT_DECRYPT') throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec SYMMETRIC_DEFAULT.`);
  const origin = input.Origin ?? 'AWS_KMS';
  checkEnum('origin', origin, ORIGINS);
  if (origin !== 'AWS_KMS' || input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
    throw new UnsupportedOperationException("Meridian's KMS generates its own key material (Origin AWS_KMS); imported material and custom key stores are not supported.");
  }
  const description = input.Description ?? '';
  checkLength('description', description, 0, MAXIMUM_DESCRIPTION_LENGTH);
  const tags = checkTags(input.Tags);

  const now = core.now();
  const keyId = newKeyId(input.MultiRegion === true);
  const policy = input.Policy === undefined ? defaultKeyPolicy(core.accountId) : acceptPolicy(core, call.principal, arnOf(core, keyId), input.Policy, input.BypassPolicyLockoutSafetyCheck);
  const material = core.materials.create(keyId, 1, now);
  const attributes: KeyAttributes = {
    description,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    state: 'Enabled',
    creationDate: now,
    deletionDate: null,
    pendingWindowInDays: null,
    tags,
    multiRegion: input.MultiRegion === true ? { role: 'PRIMARY', primaryRegion: core.region, replicaRegions: [] } : null,
    rotation: { enabled: false, periodInDays: DEFAULT_ROTATION_PERIOD_DAYS, nextRotationDate: null, onDemandStartedAt: null, history: [] },
    currentVersion: 1,
    currentMaterialId: material.materialId,
    materialIds: { '1': material.materialId },
    pendingVersion: null,
    unsyncedRegions: [],
    nextSyncAttemptAt: null,
  };
  await core.store.insertKey({ keyId, attributes: JSON.stringify(attributes), policy, revision: 1, attentionAt: null, createdAt: now }, [material]);
  call.keyId = keyId;
  return { KeyMetadata: keyMetadataOf(keyId, attributes, core.region, core.accountId) };
}

export async function describeKey(core: KmsCore, call: KmsCall, input: Input<'describeKey'>): Output<'describeKey'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: true });
  core.authorizer.authorize(call.principal, 'DescribeKey', { arn: arnOf(core, key.keyId), policy: key.policy });
  return { KeyMetadata: keyMetadataOf(key.keyId, key.attributes, core.region, core.accountId) };
}

export async function listKeys(core: KmsCore, call: KmsCall, input: Input<'listKeys'>): Output<'listKeys'> {
  core.authorizer.authorizeAccountOperation(call.principal, 'ListKeys');
  const limit = pageLimit(input.Limit, 100, 1000);
  let after = decodeMarker<string>(input.Marker, 'string');
  const keys: string[] = [];
  // Keys past their deletion date are deleted as the listing meets them, so they are never listed.
  for (;;) {
    const wanted = limit + 1 - keys.length;
    const rows = await core.store.listKeys(after, wanted);
    for (const row of rows) {
      if (isDeletionDue(keyFromStored(row).attributes, core.now())) await destroyKey(core, row.keyId);
      else keys.push(row.keyId);
    }
    if (rows.length < wanted || keys.length > limit) break;
    after = rows[rows.length - 1]!.keyId;
  }
  const page = pageOf(keys, limit, (keyId) => keyId);
  return { Keys: page.items.map((keyId) => ({ KeyId: keyId, KeyArn: arnOf(core, keyId) })), Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}

export async function updateKeyDescription(core: KmsCore, call: KmsCall, input: Input<'updateKeyDescription'>): Output<'updateKeyDescription'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'UpdateKeyDescription', { arn: arnOf(core, key.keyId), policy: key.policy });
  checkLength('description', input.Description, 0, MAXIMUM_DESCRIPTION_LENGTH);
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    return { attributes: { ...current.attributes, description: input.Description } };
  });
  return {};
}

export async function enableKey(core: KmsCore, call: KmsCall, input: Input<'enableKey'>): Output<'enableKey'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'EnableKey', { arn: arnOf(core, key.keyId), policy: key.policy });
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    return { attributes: { ...current.attributes, state: 'Enabled' } };
  });
  return {};
}

export async function disableKey(core: KmsCore, call: KmsCall, input: Input<'disableKey'>): Output<'disableKey'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'DisableKey', { arn: arnOf(core, key.keyId), policy: key.policy });
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    return { attributes: { ...current.attributes, state: 'Disabled' } };
  });
  return {};
}

/**
 * ScheduleKeyDeletion: the key becomes PendingDeletion (unusable) and is deleted with its material
 * once `PendingWindowInDays` (7..30, default 30) have passed.
 */
export async function scheduleKeyDeletion(core: KmsCore, call: KmsCall, input: Input<'scheduleKeyDeletion'>): Output<'scheduleKeyDeletion'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'ScheduleKeyDeletion', { arn: arnOf(core, key.keyId), policy: key.policy });
  const days = input.PendingWindowInDays ?? PENDING_WINDOW.default;
  checkRange('pendingWindowInDays', days, PENDING_WINDOW.minimum, PENDING_WINDOW.maximum);
  const deletionDate = core.now() + days * DAY_MS;
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    return { attributes: { ...current.attributes, state: 'PendingDeletion', deletionDate, pendingWindowInDays: days } };
  });
  return { KeyId: arnOf(core, key.keyId), DeletionDate: new Date(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
}

/** CancelKeyDeletion leaves the key Disabled, as KMS does: enabling it is a separate decision. */
export async function cancelKeyDeletion(core: KmsCore, call: KmsCall, input: Input<'cancelKeyDeletion'>): Output<'cancelKeyDeletion'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'CancelKeyDeletion', { arn: arnOf(core, key.keyId), policy: key.policy });
  await updateKey(core, key.keyId, (current) => {
    if (current.attributes.state !== 'PendingDeletion') throw new KMSInvalidStateException(`${arnOf(core, key.keyId)} is not pending deletion.`);
    return { attributes: { ...current.attributes, state: 'Disabled', deletionDate: null, pendingWindowInDays: null } };
  });
  return { KeyId: arnOf(core, key.keyId) };
}

export async function tagResource(core: KmsCore, call: KmsCall, input: Input<'tagResource'>): Output<'tagResource'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'TagResource', { arn: arnOf(core, key.keyId), policy: key.policy });
  const added = checkTags(input.Tags);
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    const tags = new Map(current.attributes.tags.map((tag) => [tag.TagKey, tag.TagValue]));
    for (const tag of added) tags.set(tag.TagKey, tag.TagValue);
    return { attributes: { ...current.attributes, tags: checkTags([...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue }))) } };
  });
  return {};
}

export async function untagResource(core: KmsCore, call: KmsCall, input: Input<'untagResource'>): Output<'untagResource'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'UntagResource', { arn: arnOf(core, key.keyId), policy: key.policy });
  const removed = new Set(input.TagKeys);
  await updateKey(core, key.keyId, (current) => {
    requireNotPendingDeletion(core, current);
    return { attributes: { ...current.attributes, tags: current.attributes.tags.filter((tag) => !removed.has(tag.TagKey)) } };
  });
  return {};
}

export async function listResourceTags(core: KmsCore, call: KmsCall, input: Input<'listResourceTags'>): Output<'listResourceTags'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'ListResourceTags', { arn: arnOf(core, key.keyId), policy: key.policy });
  const limit = pageLimit(input.Limit, 50, 50);
  const after = decodeMarker<string>(input.Marker, 'string');
  const tags = [...key.attributes.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : 1)).filter((tag) => after === null || tag.TagKey > after);
  const page = pageOf(tags, limit, (tag) => tag.TagKey);
  return { Tags: page.items, Truncated: page.Truncated, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}
