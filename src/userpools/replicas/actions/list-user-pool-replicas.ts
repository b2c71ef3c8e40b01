import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';
import { replicaType } from './replica-shapes.ts';

/**
 * Every region of a pool, primary first, from the primary or any secondary. A pool has a handful
 * of regions, so one page holds them all and NextToken is never returned.
 */
export const listUserPoolReplicas = defineAction({
  name: 'ListUserPoolReplicas',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, NextToken: paginationTokenShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const views = await replicasOf(services).listReplicas(input.UserPoolId);
    return { UserPoolReplicas: views.map(replicaType) };
  },
});
