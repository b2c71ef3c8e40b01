import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { adminUserGlobalSignOut as signOutUser } from '../sign-out.ts';

export const adminUserGlobalSignOut = defineAction({
  name: 'AdminUserGlobalSignOut',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape }),
  async handle(input, services: UserPoolServices) {
    await signOutUser(services, input.UserPoolId, input.Username);
    return {};
  },
});
