import { defineAction } from '../../../wire/aws-json-action.ts';
import { codeRequestShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { forgotPassword as requestReset } from '../forgot-password.ts';

export const forgotPassword = defineAction({
  name: 'ForgotPassword',
  authorization: 'public',
  input: codeRequestShape,
  async handle(input, services: UserPoolServices) {
    return requestReset(services, { clientId: input.ClientId, secretHash: input.SecretHash, username: input.Username });
  },
});
