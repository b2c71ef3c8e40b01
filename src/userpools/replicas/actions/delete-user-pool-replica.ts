import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';
import { regionNameShape } from './replica-shapes.ts';

/** Removes an INACTIVE secondary replica and its data in that region (primary only). */
export const deleteUserPoolReplica = defineAction({
  name: 'DeleteUserPoolReplica',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, RegionName: regionNameShape }),
  async handle(input, services: UserPoolServices) {
    await replicasOf(services).deleteReplicaFromPrimary(input.UserPoolId, input.RegionName);
    return {};
  },
});
