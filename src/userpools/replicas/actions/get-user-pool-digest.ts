import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';

/**
 * Meridian extension: the digest of the pool's records in this region and the sequence it stands
 * for (the primary's last, or the replica's applied one). `meridian replicas verify` compares it
 * across regions; equal digests at equal sequences mean equal data.
 */
export const getUserPoolDigest = defineAction({
  name: 'GetUserPoolDigest',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    return { UserPoolId: input.UserPoolId, ...(await replicasOf(services).digest(input.UserPoolId)) };
  },
});
