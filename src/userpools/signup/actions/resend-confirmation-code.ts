import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { analyticsMetadataShape, secretHashShape, userContextDataShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape, usernameShape } from '../../shared/input-shapes.ts';
import { resendConfirmationCode as resend } from '../confirmation.ts';

export const resendConfirmationCode = defineAction({
  name: 'ResendConfirmationCode',
  authorization: 'public',
  input: z.object({
    ClientId: clientIdShape,
    SecretHash: secretHashShape.optional(),
    Username: usernameShape,
    AnalyticsMetadata: analyticsMetadataShape,
    UserContextData: userContextDataShape,
    ClientMetadata: clientMetadataShape,
  }),
  async handle(input, services: UserPoolServices) {
    return resend(services, { clientId: input.ClientId, secretHash: input.SecretHash, username: input.Username });
  },
});
