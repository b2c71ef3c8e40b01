import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { deletePool } from '../pool-directory.ts';

export const deleteUserPool = defineAction({
  name: 'DeleteUserPool',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    await deletePool(services, input.UserPoolId);
    return {};
  },
});
