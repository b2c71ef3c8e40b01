import { KmsKeyExists } from '../../store/kms/kms-store.ts';
import { ServiceError } from '../../wire/service-error.ts';
import { AccessDeniedException, AlreadyExistsException, NotFoundException, UnsupportedOperationException, ValidationException } from '../errors.ts';
import { checkLength, checkTags, MAXIMUM_DESCRIPTION_LENGTH } from '../input-checks.ts';
import { isMultiRegionKeyId, keyArnOf } from '../key-ids.ts';
import { keyMetadataOf } from '../key-metadata.ts';
import { arnOf, loadKey, materialOf, requireKey, requireNotPendingDeletion, updateKey, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import type { KeyAttributes, KmsKey } from '../key-model.ts';
import { defaultKeyPolicy } from '../policy/default-policy.ts';
import type { ReplicaPayload, ReplicaReceipt, SharedKeyState } from '../replication/replication-target.ts';
import { acceptPolicy } from './key-policies.ts';
import { promoteVersion } from './rotation.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** How long a primary waits before offering unacknowledged shared state to a replica again. */
const SYNC_RETRY_MS = 60_000;

/**
 * ReplicateKey (KMS API reference): copies a multi-Region primary key into another Region. The
 * replica has the same key id, material, spec and rotation (shared), and its own policy, tags,
 * description, aliases and key state. The material goes through the other Region's
 * KeyReplicationTarget, which protects it in transit. The replica is usable as soon as the call
 * returns (AWS reports `Creating` for a while; here creation is synchronous).
 */
export async function replicateKey(core: KmsCore, call: KmsCall, input: Input<'replicateKey'>): Output<'replicateKey'> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  const arn = arnOf(core, key.keyId);
  core.authorizer.authorize(call.principal, 'ReplicateKey', { arn, policy: key.policy });
  const multiRegion = key.attributes.multiRegion;
  if (!multiRegion) throw new UnsupportedOperationException(`${arn} is not a multi-Region key; create one with MultiRegion: true.`);
  if (multiRegion.role !== 'PRIMARY') throw new UnsupportedOperationException(`${arn} is a replica key; call ReplicateKey on its primary key in ${multiRegion.primaryRegion}.`);
  requireNotPendingDeletion(core, key);
  const region = input.ReplicaRegion;
  if (!REGION_NAME.test(region)) throw new ValidationException(`1 validation error detected: Value '${region}' at 'replicaRegion' failed to satisfy constraint: Member must be a Region name`);
  if (region === core.region) throw new ValidationException(`The replica Region must differ from the primary key's Region ${core.region}.`);
  const replicaArn = keyArnOf(region, core.accountId, key.keyId);
  if (multiRegion.replicaRegions.includes(region)) throw new AlreadyExistsException(`Replica key ${replicaArn} already exists.`);
  const target = core.replicationTargets(region);
  if (!target) throw new UnsupportedOperationException(`Region ${region} is not a peer of ${core.region}: add it to the regionPeers setting of both Regions.`);
  const description = input.Description ?? '';
  checkLength('description', description, 0, MAXIMUM_DESCRIPTION_LENGTH);
  const tags = checkTags(input.Tags);
  const policy = input.Policy === undefined ? defaultKeyPolicy(core.accountId) : acceptPolicy(core, call.principal, replicaArn, input.Policy, input.BypassPolicyLockoutSafetyCheck);

  const shared = await sharedStateOf(core, key, [...multiRegion.replicaRegions, region]);
  let receipt: ReplicaReceipt;
  try {
    receipt = await target.send({ kind: 'create', shared, replica: { description, tags, policy } });
  } catch (error) {
    // A replica that is already there (an earlier attempt whose answer was lost) is this key's:
    // mrk ids are random. Record it, so that rotation reaches it, and report the conflict.
    if (error instanceof ServiceError && error.type === 'AlreadyExistsException') await recordReplica(core, key.keyId, region);
    throw error;
  }
  await recordReplica(core, key.keyId, region);
  await syncReplicas(core, key.keyId);
  return { ReplicaKeyMetadata: keyMetadataOf(key.keyId, receipt.attributes, region, core.accountId), ReplicaPolicy: receipt.policy, ReplicaTags: receipt.attributes.tags };
}

/** Adds a replica Region to the primary; the other replicas are told the new list by the next sync. */
async function recordReplica(core: KmsCore, keyId: string, region: string): Promise<void> {
  await updateKey(core, keyId, (current) => {
    const multiRegion = current.attributes.multiRegion!;
    if (multiRegion.replicaRegions.includes(region)) return { attributes: current.attributes };
    const others = multiRegion.replicaRegions;
    return {
      attributes: {
        ...current.attributes,
        multiRegion: { ...multiRegion, replicaRegions: [...others, region] },
        unsyncedRegions: [...new Set([...current.attributes.unsyncedRegions, ...others])],
        nextSyncAttemptAt: others.length > 0 ? core.now() : current.attributes.nextSyncAttemptAt,
      },
    };
  });
}

/** The shared properties of a primary key, material included, as replicas should hold them now. */
async function sharedStateOf(core: KmsCore, key: KmsKey, replicaRegions: string[]): Promise<SharedKeyState> {
  const attributes = key.attributes;
  const stored = await core.store.listMaterials(key.keyId);
  const materials = await Promise.all(
    stored.map(async (entry) => ({ version: entry.version, materialId: entry.materialId, createdAt: entry.createdAt, material: (await materialOf(core, key.keyId, entry.version))! })),
  );
  const current = attributes.pendingVersion ?? { version: attributes.currentVersion, materialId: attributes.currentMaterialId };
  return {
    keyId: key.keyId,
    primaryRegion: core.region,
    replicaRegions,
    keySpec: attributes.keySpec,
    keyUsage: attributes.keyUsage,
    origin: attributes.origin,
    rotation: {
      enabled: attributes.rotation.enabled,
      periodInDays: attributes.rotation.periodInDays,
      nextRotationDate: attributes.rotation.nextRotationDate,
      // A pending version is current at the replicas already, so it is in their history too.
      history: attributes.pendingVersion
        ? [...attributes.rotation.history, { version: current.version, materialId: current.materialId, rotationDate: attributes.pendingVersion.startedAt, type: attributes.pendingVersion.type }]
        : attributes.rotation.history,
    },
    currentVersion: current.version,
    currentMaterialId: current.materialId,
    materials,
  };
}

/** What replicas must agree on; a change of it during a sync means the sync is stale. */
function sharedFingerprint(attributes: KeyAttributes): string {
  const { rotation, multiRegion, currentVersion, pendingVersion } = attributes;
  return JSON.stringify([rotation.enabled, rotation.periodInDays, rotation.nextRotationDate, multiRegion?.replicaRegions, currentVersion, pendingVersion?.version]);
}

/**
 * Offers a primary's shared state to every replica that has not acknowledged it; never throws.
 * Replicas that could not be reached are retried by the scheduler. When the last replica has a
 * pending rotated-in version, the primary switches to it.
 */
export async function syncReplicas(core: KmsCore, keyId: string): Promise<void> {
  try {
    const key = await loadKey(core, keyId);
    if (!key || key.attributes.multiRegion?.role !== 'PRIMARY' || key.attributes.unsyncedRegions.length === 0) return;
    const shared = await sharedStateOf(core, key, key.attributes.multiRegion.replicaRegions);
    const fingerprint = sharedFingerprint(key.attributes);
    const acknowledged = new Set<string>();
    for (const region of key.attributes.unsyncedRegions) {
      const target = core.replicationTargets(region);
      if (!target) continue;
      try {
        await target.send({ kind: 'sync', shared });
        acknowledged.add(region);
      } catch (error) {
        // Unreachable or refusing: stays unsynced, retried later.
        core.reportFault(error, `sync of ${keyId} to ${region} failed`);
      }
    }
    await updateKey(core, keyId, (current) => {
      if (sharedFingerprint(current.attributes) !== fingerprint) return { attributes: current.attributes };
      const remaining = current.attributes.unsyncedRegions.filter((region) => !acknowledged.has(region));
      let attributes: KeyAttributes = { ...current.attributes, unsyncedRegions: remaining, nextSyncAttemptAt: remaining.length > 0 ? core.now() + SYNC_RETRY_MS : null };
      const pending = attributes.pendingVersion;
      if (remaining.length === 0 && pending) attributes = promoteVersion(attributes, pending.version, pending.materialId, pending.type, pending.startedAt);
      return { attributes };
    });
  } catch (error) {
    // Best effort by design: the scheduler tries again.
    core.reportFault(error, `sync of ${keyId} failed`);
  }
}

/** The principal a peer Region acts as when it delivers a replica (audit log, error messages). */
export function peerPrincipalArn(accountId: string, sourceRegion: string): string {
  return `arn:aws:iam::${accountId}:role/meridian-region-peer/${sourceRegion}`;
}

/**
 * The receiving side of replication: `sourceRegion` was authenticated by the transport. A peer can
 * create and update replicas of its own primary keys only, never touch any other key.
 */
export async function acceptReplica(core: KmsCore, call: KmsCall, sourceRegion: string, payload: ReplicaPayload): Promise<ReplicaReceipt> {
  const { shared } = payload;
  call.keyId = shared.keyId;
  if (!isMultiRegionKeyId(shared.keyId)) throw new ValidationException(`${shared.keyId} is not a multi-Region key id.`);
  if (shared.primaryRegion !== sourceRegion) throw new AccessDeniedException(`Region ${sourceRegion} may only replicate its own primary keys.`);
  const now = core.now();
  const materialIds = Object.fromEntries(shared.materials.map((entry) => [String(entry.version), entry.materialId]));
  const wrap = () => shared.materials.map((entry) => core.materials.wrap(shared.keyId, entry.version, entry.material, entry.materialId, entry.createdAt));
  const sharedRotation = { enabled: shared.rotation.enabled, periodInDays: shared.rotation.periodInDays, nextRotationDate: shared.rotation.nextRotationDate, onDemandStartedAt: null, history: shared.rotation.history };

  if (payload.kind === 'create') {
    if (!shared.replicaRegions.includes(core.region)) throw new ValidationException(`The replica list does not name ${core.region}.`);
    core.authorizer.policyOf(payload.replica.policy);
    const attributes: KeyAttributes = {
      description: payload.replica.description,
      keySpec: shared.keySpec,
      keyUsage: shared.keyUsage,
      origin: shared.origin,
      state: 'Enabled',
      creationDate: now,
      deletionDate: null,
      pendingWindowInDays: null,
      tags: checkTags(payload.replica.tags),
      multiRegion: { role: 'REPLICA', primaryRegion: sourceRegion, replicaRegions: shared.replicaRegions },
      rotation: sharedRotation,
      currentVersion: shared.currentVersion,
      currentMaterialId: shared.currentMaterialId,
      materialIds,
      pendingVersion: null,
      unsyncedRegions: [],
      nextSyncAttemptAt: null,
    };
    try {
      await core.store.insertKey({ keyId: shared.keyId, attributes: JSON.stringify(attributes), policy: payload.replica.policy, revision: 1, attentionAt: null, createdAt: now }, wrap());
    } catch (error) {
      if (error instanceof KmsKeyExists) throw new AlreadyExistsException(`Replica key ${arnOf(core, shared.keyId)} already exists.`);
      throw error;
    }
    return { attributes, policy: payload.replica.policy };
  }

  const existing = await loadKey(core, shared.keyId);
  if (!existing || existing.attributes.multiRegion?.role !== 'REPLICA' || existing.attributes.multiRegion.primaryRegion !== sourceRegion) {
    throw new NotFoundException(`Key '${arnOf(core, shared.keyId)}' is not a replica of a ${sourceRegion} primary key.`);
  }
  const updated = await updateKey(core, shared.keyId, (current) => {
    const newer = shared.currentVersion > current.attributes.currentVersion;
    return {
      attributes: {
        ...current.attributes,
        multiRegion: { ...current.attributes.multiRegion!, replicaRegions: shared.replicaRegions },
        rotation: sharedRotation,
        currentVersion: newer ? shared.currentVersion : current.attributes.currentVersion,
        currentMaterialId: newer ? shared.currentMaterialId : current.attributes.currentMaterialId,
        materialIds: { ...current.attributes.materialIds, ...materialIds },
      },
      newMaterials: wrap().filter((material) => !(String(material.version) in current.attributes.materialIds)),
    };
  });
  return { attributes: updated.attributes, policy: updated.policy };
}
