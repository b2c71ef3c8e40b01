import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { setEnabled } from '../user-changes.ts';

export const adminDisableUser = defineAction({
  name: 'AdminDisableUser',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape }),
  async handle(input, services: UserPoolServices) {
    await setEnabled(services, input.UserPoolId, input.Username, false);
    return {};
  },
});
