import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { replicasOf } from '../replica-services.ts';

/**
 * Meridian extension: the failover checklist (regions/failover-checklist.ts) of a replicated pool,
 * from any of its regions. `meridian replicas checklist <pool>` prints it.
 */
export const getFailoverChecklist = defineAction({
  name: 'GetFailoverChecklist',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    return { UserPoolId: input.UserPoolId, ...(await replicasOf(services).failoverChecklist(input.UserPoolId)) };
  },
});
