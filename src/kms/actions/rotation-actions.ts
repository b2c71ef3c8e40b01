import { z } from 'zod';
import { keyId, kmsAction, limit, marker } from './wire.ts';

export const rotationActions = [
  kmsAction('EnableKeyRotation', z.object({ KeyId: keyId, RotationPeriodInDays: z.number().int().optional() }), (client, input) => client.enableKeyRotation(input)),
  kmsAction('DisableKeyRotation', z.object({ KeyId: keyId }), (client, input) => client.disableKeyRotation(input)),
  kmsAction('GetKeyRotationStatus', z.object({ KeyId: keyId }), (client, input) => client.getKeyRotationStatus(input)),
  kmsAction('RotateKeyOnDemand', z.object({ KeyId: keyId }), (client, input) => client.rotateKeyOnDemand(input)),
  kmsAction(
    'ListKeyRotations',
    z.object({ KeyId: keyId, IncludeKeyMaterial: z.string().optional(), Limit: limit.optional(), Marker: marker.optional() }),
    (client, input) => client.listKeyRotations(input),
  ),
];
