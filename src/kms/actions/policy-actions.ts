import { z } from 'zod';
import { keyId, kmsAction, limit, marker } from './wire.ts';

export const policyActions = [
  kmsAction('GetKeyPolicy', z.object({ KeyId: keyId, PolicyName: z.string().optional() }), (client, input) => client.getKeyPolicy(input)),
  kmsAction(
    'PutKeyPolicy',
    z.object({ KeyId: keyId, PolicyName: z.string().optional(), Policy: z.string(), BypassPolicyLockoutSafetyCheck: z.boolean().optional() }),
    (client, input) => client.putKeyPolicy(input),
  ),
  kmsAction('ListKeyPolicies', z.object({ KeyId: keyId, Limit: limit.optional(), Marker: marker.optional() }), (client, input) => client.listKeyPolicies(input)),
];
