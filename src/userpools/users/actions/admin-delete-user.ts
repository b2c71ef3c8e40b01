import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { removeUser } from '../user-changes.ts';

export const adminDeleteUser = defineAction({
  name: 'AdminDeleteUser',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape }),
  async handle(input, services: UserPoolServices) {
    await removeUser(services, input.UserPoolId, input.Username);
    return {};
  },
});
