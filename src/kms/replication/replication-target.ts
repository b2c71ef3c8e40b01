import type { KeyAttributes, RotationSettings, Tag } from '../key-model.ts';

/**
 * How a Region's KMS reaches another Region's KMS to create or update a replica of a multi-Region
 * key. The domain hands over key material in the clear, in memory; an implementation that leaves
 * the process must protect it in transit (HttpReplicationTarget wraps it under a key derived
 * from the credential the two Regions share, and signs the request with SigV4).
 */
export interface KeyReplicationTarget {
  readonly region: string;
  /** Delivers the payload; resolves with the replica as the target Region stored it. */
  send(payload: ReplicaPayload): Promise<ReplicaReceipt>;
}

/** Finds the target for a Region name; null when the Region is not a configured peer. */
export type ReplicationTargets = (region: string) => KeyReplicationTarget | null;

/** One version of key material, in the clear (in memory only). */
export interface SharedMaterial {
  version: number;
  materialId: string;
  createdAt: number;
  material: Buffer;
}

/**
 * The shared properties of a multi-Region key (KMS Developer Guide, "Multi-Region keys"): key id,
 * spec, usage, origin, key material and rotation. Each replica keeps its own policy, aliases,
 * tags, description and key state.
 */
export interface SharedKeyState {
  keyId: string;
  primaryRegion: string;
  replicaRegions: string[];
  keySpec: KeyAttributes['keySpec'];
  keyUsage: KeyAttributes['keyUsage'];
  origin: KeyAttributes['origin'];
  rotation: { enabled: boolean; periodInDays: number; nextRotationDate: number | null; history: RotationSettings['history'] };
  /** The version replicas encrypt with from now on. */
  currentVersion: number;
  currentMaterialId: string;
  materials: SharedMaterial[];
}

export type ReplicaPayload =
  | { kind: 'create'; shared: SharedKeyState; replica: { description: string; tags: Tag[]; policy: string } }
  | { kind: 'sync'; shared: SharedKeyState };

export interface ReplicaReceipt {
  attributes: KeyAttributes;
  policy: string;
}
