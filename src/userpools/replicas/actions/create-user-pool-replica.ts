import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { tagsShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';
import { regionNameShape, replicaType } from './replica-shapes.ts';

/** Starts a secondary replica of a primary pool in another region (CREATING, then INACTIVE). */
export const createUserPoolReplica = defineAction({
  name: 'CreateUserPoolReplica',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, RegionName: regionNameShape, UserPoolTags: tagsShape }),
  async handle(input, services: UserPoolServices) {
    const view = await replicasOf(services).createReplica(input.UserPoolId, input.RegionName, input.UserPoolTags);
    return { UserPoolReplica: replicaType(view) };
  },
});
