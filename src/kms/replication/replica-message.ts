import { z } from 'zod';
import type { KeyAttributes } from '../key-model.ts';
import type { ReplicaPayload, SharedKeyState } from './replication-target.ts';
import { unwrapFromTransport, wrapForTransport } from './transport-wrapping.ts';

/**
 * The JSON body of `POST /internal/kms/replicas`: a ReplicaPayload whose materials are wrapped for
 * transport, plus the two Region names (which the wrapping also binds).
 */
const wrappedMaterial = z.object({ version: z.number().int().min(1), materialId: z.string().min(1).max(128), createdAt: z.number(), wrapped: z.base64() });
const rotationHistory = z.array(z.object({ version: z.number().int(), materialId: z.string(), rotationDate: z.number(), type: z.enum(['AUTOMATIC', 'ON_DEMAND']) }));
const sharedState = z.object({
  keyId: z.string().max(64),
  primaryRegion: z.string().max(64),
  replicaRegions: z.array(z.string().max(64)).max(64),
  keySpec: z.literal('SYMMETRIC_DEFAULT'),
  keyUsage: z.literal('ENCRYPT_DECRYPT'),
  origin: z.literal('AWS_KMS'),
  rotation: z.object({ enabled: z.boolean(), periodInDays: z.number().int(), nextRotationDate: z.number().nullable(), history: rotationHistory }),
  currentVersion: z.number().int().min(1),
  currentMaterialId: z.string(),
  materials: z.array(wrappedMaterial).min(1).max(10_000),
});
export const replicaMessageSchema = z.object({
  sourceRegion: z.string(),
  targetRegion: z.string(),
  kind: z.enum(['create', 'sync']),
  shared: sharedState,
  replica: z.object({ description: z.string(), tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })), policy: z.string() }).optional(),
});
export type ReplicaMessage = z.infer<typeof replicaMessageSchema>;

export function toMessage(payload: ReplicaPayload, sourceRegion: string, targetRegion: string, sharedSecret: string): ReplicaMessage {
  const { shared } = payload;
  const materials = shared.materials.map((entry) => ({
    version: entry.version,
    materialId: entry.materialId,
    createdAt: entry.createdAt,
    wrapped: wrapForTransport(sharedSecret, { sourceRegion, targetRegion, keyId: shared.keyId, version: entry.version, materialId: entry.materialId }, entry.material).toString('base64'),
  }));
  return { sourceRegion, targetRegion, kind: payload.kind, shared: { ...shared, materials }, ...(payload.kind === 'create' ? { replica: payload.replica } : {}) };
}

/** Throws DecryptionFailed if any material was not wrapped for this Region pair and address. */
export function fromMessage(message: ReplicaMessage, sharedSecret: string): ReplicaPayload {
  const { sourceRegion, targetRegion } = message;
  const shared: SharedKeyState = {
    ...message.shared,
    materials: message.shared.materials.map((entry) => ({
      version: entry.version,
      materialId: entry.materialId,
      createdAt: entry.createdAt,
      material: unwrapFromTransport(sharedSecret, { sourceRegion, targetRegion, keyId: message.shared.keyId, version: entry.version, materialId: entry.materialId }, Buffer.from(entry.wrapped, 'base64')),
    })),
  };
  if (message.kind === 'create') {
    if (!message.replica) throw new Error('a create message needs the replica settings');
    return { kind: 'create', shared, replica: message.replica };
  }
  return { kind: 'sync', shared };
}

/** The receipt as it travels back: the replica's stored attributes and policy. */
export const receiptSchema = z.object({ attributes: z.record(z.string(), z.unknown()), policy: z.string() });
export type ReceiptMessage = { attributes: KeyAttributes; policy: string };
