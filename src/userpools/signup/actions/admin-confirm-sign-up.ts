import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientMetadataShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { adminConfirmSignUp as confirm } from '../confirmation.ts';

export const adminConfirmSignUp = defineAction({
  name: 'AdminConfirmSignUp',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    await confirm(services, input.UserPoolId, input.Username);
    return {};
  },
});
