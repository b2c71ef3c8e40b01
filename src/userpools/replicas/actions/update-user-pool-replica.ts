import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';
import { regionNameShape, replicaType } from './replica-shapes.ts';

/** Activates or deactivates a secondary replica; callable in the primary or any secondary. */
export const updateUserPoolReplica = defineAction({
  name: 'UpdateUserPoolReplica',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, RegionName: regionNameShape, Status: z.enum(['ACTIVE', 'INACTIVE']) }),
  async handle(input, services: UserPoolServices) {
    const view = await replicasOf(services).updateReplica(input.UserPoolId, input.RegionName, input.Status);
    return { UserPoolReplica: replicaType(view) };
  },
});
