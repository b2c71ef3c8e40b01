import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { analyticsMetadataShape, secretHashShape, userContextDataShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape, usernameShape } from '../../shared/input-shapes.ts';
import { forgotPassword as requestReset } from '../forgot-password.ts';

export const forgotPassword = defineAction({
  name: 'ForgotPassword',
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
    return requestReset(services, { clientId: input.ClientId, secretHash: input.SecretHash, username: input.Username });
  },
});
