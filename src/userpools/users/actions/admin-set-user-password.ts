import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { passwordShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { setPassword } from '../user-changes.ts';

export const adminSetUserPassword = defineAction({
  name: 'AdminSetUserPassword',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, Password: passwordShape, Permanent: z.boolean().optional() }),
  async handle(input, services: UserPoolServices) {
    await setPassword(services, input.UserPoolId, input.Username, input.Password, input.Permanent ?? false);
    return {};
  },
});
