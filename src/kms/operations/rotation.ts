import { ConflictException, DisabledException, KMSInvalidStateException, UnsupportedOperationException } from '../errors.ts';
import { checkRange } from '../input-checks.ts';
import { arnOf, requireKey, updateKey, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import { DAY_MS, DEFAULT_ROTATION_PERIOD_DAYS, type KeyAttributes, type KmsKey, type RotationType } from '../key-model.ts';
import { decodeMarker, pageLimit, pageOf } from '../paging.ts';
import { syncReplicas } from './replication.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

const ROTATION_PERIOD = { minimum: 90, maximum: 2560 };

/**
 * Rotation adds a key material version; the key id, ARN and policy stay. New ciphertexts use the
 * new version, and older ones still decrypt because each blob names its version. Multi-Region keys
 * rotate at the primary, which ships the new material to every replica (rotation is a shared
 * property), so replicas refuse rotation calls.
 */
function requireRotatable(core: KmsCore, key: KmsKey): void {
  const arn = arnOf(core, key.keyId);
  const multiRegion = key.attributes.multiRegion;
  if (multiRegion?.role === 'REPLICA') {
    throw new UnsupportedOperationException(`${arn} is a multi-Region replica key; manage rotation on its primary key in ${multiRegion.primaryRegion}.`);
  }
  if (key.attributes.state === 'Disabled') throw new DisabledException(`${arn} is disabled.`);
  if (key.attributes.state === 'PendingDeletion') throw new KMSInvalidStateException(`${arn} is pending deletion.`);
}

/** Marks every replica of a primary as needing the key's shared state again. */
function withReplicasUnsynced(core: KmsCore, attributes: KeyAttributes): KeyAttributes {
  const replicas = attributes.multiRegion?.role === 'PRIMARY' ? attributes.multiRegion.replicaRegions : [];
  if (replicas.length === 0) return attributes;
  return { ...attributes, unsyncedRegions: [...new Set([...attributes.unsyncedRegions, ...replicas])], nextSyncAttemptAt: core.now() };
}

export async function enableKeyRotation(core: KmsCore, call: KmsCall, input: Input<'enableKeyRotation'>): Output<'enableKeyRotation'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'EnableKeyRotation', { arn: arnOf(core, key.keyId), policy: key.policy });
  const period = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  checkRange('rotationPeriodInDays', period, ROTATION_PERIOD.minimum, ROTATION_PERIOD.maximum);
  const updated = await updateKey(core, key.keyId, (current) => {
    requireRotatable(core, current);
    const rotation = { ...current.attributes.rotation, enabled: true, periodInDays: period, nextRotationDate: core.now() + period * DAY_MS };
    return { attributes: withReplicasUnsynced(core, { ...current.attributes, rotation }) };
  });
  await syncReplicas(core, updated.keyId);
  return {};
}

export async function disableKeyRotation(core: KmsCore, call: KmsCall, input: Input<'disableKeyRotation'>): Output<'disableKeyRotation'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'DisableKeyRotation', { arn: arnOf(core, key.keyId), policy: key.policy });
  const updated = await updateKey(core, key.keyId, (current) => {
    requireRotatable(core, current);
    const rotation = { ...current.attributes.rotation, enabled: false, nextRotationDate: null };
    return { attributes: withReplicasUnsynced(core, { ...current.attributes, rotation }) };
  });
  await syncReplicas(core, updated.keyId);
  return {};
}

export async function getKeyRotationStatus(core: KmsCore, call: KmsCall, input: Input<'getKeyRotationStatus'>): Output<'getKeyRotationStatus'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'GetKeyRotationStatus', { arn: arnOf(core, key.keyId), policy: key.policy });
  const { rotation, pendingVersion } = key.attributes;
  return {
    KeyId: arnOf(core, key.keyId),
    KeyRotationEnabled: rotation.enabled,
    ...(rotation.enabled ? { RotationPeriodInDays: rotation.periodInDays } : {}),
    ...(rotation.enabled && rotation.nextRotationDate !== null ? { NextRotationDate: new Date(rotation.nextRotationDate) } : {}),
    ...(pendingVersion?.type === 'ON_DEMAND' ? { OnDemandRotationStartDate: new Date(pendingVersion.startedAt) } : {}),
  };
}

export async function rotateKeyOnDemand(core: KmsCore, call: KmsCall, input: Input<'rotateKeyOnDemand'>): Output<'rotateKeyOnDemand'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'RotateKeyOnDemand', { arn: arnOf(core, key.keyId), policy: key.policy });
  await rotateKey(core, key.keyId, 'ON_DEMAND');
  return { KeyId: arnOf(core, key.keyId) };
}

export async function listKeyRotations(core: KmsCore, call: KmsCall, input: Input<'listKeyRotations'>): Output<'listKeyRotations'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'ListKeyRotations', { arn: arnOf(core, key.keyId), policy: key.policy });
  const limit = pageLimit(input.Limit, 100, 1000);
  const after = decodeMarker<number>(input.Marker, 'number') ?? 0;
  const page = pageOf(
    key.attributes.rotation.history.filter((entry) => entry.version > after),
    limit,
    (entry) => entry.version,
  );
  return {
    Rotations: page.items.map((entry) => ({ KeyId: arnOf(core, key.keyId), KeyMaterialId: entry.materialId, RotationDate: new Date(entry.rotationDate), RotationType: entry.type })),
    Truncated: page.Truncated,
    ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}),
  };
}

/** Whether the scheduler should rotate the key now (never replicas: their primary rotates them). */
export function isAutomaticRotationDue(attributes: KeyAttributes, now: number): boolean {
  const { rotation } = attributes;
  return (
    rotation.enabled &&
    rotation.nextRotationDate !== null &&
    rotation.nextRotationDate <= now &&
    attributes.state === 'Enabled' &&
    attributes.multiRegion?.role !== 'REPLICA' &&
    attributes.pendingVersion === null
  );
}

/** Makes a rotated-in version the one new ciphertexts use. */
export function promoteVersion(attributes: KeyAttributes, version: number, materialId: string, type: RotationType, at: number): KeyAttributes {
  return {
    ...attributes,
    currentVersion: version,
    currentMaterialId: materialId,
    pendingVersion: null,
    rotation: { ...attributes.rotation, history: [...attributes.rotation.history, { version, materialId, rotationDate: at, type }] },
  };
}

/**
 * Adds a new material version. A key without replicas switches to it at once. A multi-Region
 * primary with replicas keeps it pending (it already decrypts with it) until every replica holds
 * it, then switches; until then ciphertexts keep using the previous version, which every Region has.
 */
export async function rotateKey(core: KmsCore, keyId: string, type: RotationType): Promise<void> {
  const now = core.now();
  const updated = await updateKey(core, keyId, (current) => {
    const attributes = current.attributes;
    // The scheduler of another process may have rotated the key since this one found it due.
    if (type === 'AUTOMATIC' && !isAutomaticRotationDue(attributes, now)) return { attributes };
    requireRotatable(core, current);
    if (attributes.pendingVersion) throw new ConflictException(`A rotation of ${arnOf(core, keyId)} is already in progress: it waits for the key's replicas.`);
    const version = Math.max(...Object.keys(attributes.materialIds).map(Number)) + 1;
    const material = core.materials.create(keyId, version, now);
    const rotation = type === 'AUTOMATIC' ? { ...attributes.rotation, nextRotationDate: now + attributes.rotation.periodInDays * DAY_MS } : attributes.rotation;
    const next: KeyAttributes = { ...attributes, rotation, materialIds: { ...attributes.materialIds, [String(version)]: material.materialId } };
    const replicas = attributes.multiRegion?.role === 'PRIMARY' ? attributes.multiRegion.replicaRegions : [];
    if (replicas.length === 0) return { attributes: promoteVersion(next, version, material.materialId, type, now), newMaterials: [material] };
    return {
      attributes: withReplicasUnsynced(core, { ...next, pendingVersion: { version, materialId: material.materialId, type, startedAt: now } }),
      newMaterials: [material],
    };
  });
  if (updated.attributes.pendingVersion) await syncReplicas(core, keyId);
}
