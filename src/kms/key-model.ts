import type { StoredKey } from '../store/kms/kms-store.ts';

/**
 * A KMS key as the domain sees it. Everything here is stored as JSON in `kms_keys.attributes`;
 * none of it is secret (the material lives, wrapped, in `kms_key_materials`).
 */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface RotationSettings {
  enabled: boolean;
  /** Automatic rotation period, 90..2560 days (EnableKeyRotation), default 365. */
  periodInDays: number;
  nextRotationDate: number | null;
  /** Set while an on-demand rotation waits for replicas; cleared when the new version is current. */
  onDemandStartedAt: number | null;
  /** Versions after the first, for ListKeyRotations. */
  history: Array<{ version: number; materialId: string; rotationDate: number; type: RotationType }>;
}

export interface MultiRegionSettings {
  role: 'PRIMARY' | 'REPLICA';
  primaryRegion: string;
  /** Regions holding a replica (as far as this Region knows). */
  replicaRegions: string[];
}

export interface KeyAttributes {
  description: string;
  keySpec: 'SYMMETRIC_DEFAULT';
  keyUsage: 'ENCRYPT_DECRYPT';
  origin: 'AWS_KMS';
  state: KeyState;
  creationDate: number;
  deletionDate: number | null;
  pendingWindowInDays: number | null;
  tags: Tag[];
  multiRegion: MultiRegionSettings | null;
  rotation: RotationSettings;
  /** The material version new ciphertexts use. */
  currentVersion: number;
  /** KeyMaterialId of every version the key holds (not secret). */
  materialIds: Record<string, string>;
  currentMaterialId: string;
  /**
   * A rotated-in version of a multi-Region primary that becomes current once every replica holds
   * it, so that no Region ever produces a ciphertext another Region cannot open for long.
   */
  pendingVersion: { version: number; materialId: string; type: RotationType; startedAt: number } | null;
  /** Replica Regions that have not acknowledged the key's latest shared state. */
  unsyncedRegions: string[];
  nextSyncAttemptAt: number | null;
}

export interface KmsKey {
  keyId: string;
  attributes: KeyAttributes;
  policy: string;
  revision: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

export function keyFromStored(stored: StoredKey): KmsKey {
  return { keyId: stored.keyId, attributes: JSON.parse(stored.attributes) as KeyAttributes, policy: stored.policy, revision: stored.revision };
}

/** When the scheduler must next look at the key: deletion, automatic rotation, replica sync. */
export function attentionAt(attributes: KeyAttributes): number | null {
  const times: number[] = [];
  if (attributes.state === 'PendingDeletion' && attributes.deletionDate !== null) times.push(attributes.deletionDate);
  // Replicas never rotate on their own: the primary rotates and ships the new material. Disabled
  // keys are not rotated (KMS does not either); enabling one that is overdue rotates it.
  const rotates = attributes.rotation.enabled && attributes.state === 'Enabled' && attributes.multiRegion?.role !== 'REPLICA';
  if (rotates && attributes.rotation.nextRotationDate !== null) {
    times.push(attributes.rotation.nextRotationDate);
  }
  if (attributes.unsyncedRegions.length > 0 && attributes.nextSyncAttemptAt !== null) times.push(attributes.nextSyncAttemptAt);
  return times.length === 0 ? null : Math.min(...times);
}

export function isDeletionDue(attributes: KeyAttributes, now: number): boolean {
  return attributes.state === 'PendingDeletion' && attributes.deletionDate !== null && attributes.deletionDate <= now;
}
