import { defineAction } from '../../../wire/aws-json-action.ts';
import { codeRequestShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { resendConfirmationCode as resend } from '../confirmation.ts';

export const resendConfirmationCode = defineAction({
  name: 'ResendConfirmationCode',
  authorization: 'public',
  input: codeRequestShape,
  async handle(input, services: UserPoolServices) {
    return resend(services, { clientId: input.ClientId, secretHash: input.SecretHash, username: input.Username });
  },
});
