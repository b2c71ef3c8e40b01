import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { analyticsMetadataShape, confirmationCodeShape, secretHashShape, userContextDataShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape, passwordShape, usernameShape } from '../../shared/input-shapes.ts';
import { confirmForgotPassword as confirm } from '../forgot-password.ts';

export const confirmForgotPassword = defineAction({
  name: 'ConfirmForgotPassword',
  authorization: 'public',
  input: z.object({
    ClientId: clientIdShape,
    SecretHash: secretHashShape.optional(),
    Username: usernameShape,
    ConfirmationCode: confirmationCodeShape,
    Password: passwordShape,
    AnalyticsMetadata: analyticsMetadataShape,
    UserContextData: userContextDataShape,
    ClientMetadata: clientMetadataShape,
  }),
  async handle(input, services: UserPoolServices) {
    await confirm(services, {
      clientId: input.ClientId,
      secretHash: input.SecretHash,
      username: input.Username,
      code: input.ConfirmationCode,
      password: input.Password,
    });
    return {};
  },
});
