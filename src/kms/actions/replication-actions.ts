import { z } from 'zod';
import { keyId, kmsAction, tags } from './wire.ts';

export const replicationActions = [
  kmsAction(
    'ReplicateKey',
    z.object({ KeyId: keyId, ReplicaRegion: z.string(), Policy: z.string().optional(), BypassPolicyLockoutSafetyCheck: z.boolean().optional(), Description: z.string().optional(), Tags: tags.optional() }),
    (client, input) => client.replicateKey(input),
  ),
];
