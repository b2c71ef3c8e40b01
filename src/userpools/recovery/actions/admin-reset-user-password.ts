import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientMetadataShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { adminResetUserPassword as reset } from '../admin-reset-password.ts';

export const adminResetUserPassword = defineAction({
  name: 'AdminResetUserPassword',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    await reset(services, input.UserPoolId, input.Username);
    return {};
  },
});
