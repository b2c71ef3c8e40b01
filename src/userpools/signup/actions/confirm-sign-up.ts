import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { analyticsMetadataShape, confirmationCodeShape, secretHashShape, userContextDataShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape, usernameShape } from '../../shared/input-shapes.ts';
import { confirmSignUp as confirm } from '../confirmation.ts';

/** ConfirmSignUp (public). The response's Session (passwordless sign-in after sign-up) is not issued. */
export const confirmSignUp = defineAction({
  name: 'ConfirmSignUp',
  authorization: 'public',
  input: z.object({
    ClientId: clientIdShape,
    SecretHash: secretHashShape.optional(),
    Username: usernameShape,
    ConfirmationCode: confirmationCodeShape,
    ForceAliasCreation: z.boolean().optional(),
    AnalyticsMetadata: analyticsMetadataShape,
    UserContextData: userContextDataShape,
    ClientMetadata: clientMetadataShape,
    Session: z.string().max(2048).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    await confirm(services, {
      clientId: input.ClientId,
      secretHash: input.SecretHash,
      username: input.Username,
      code: input.ConfirmationCode,
      forceAliasCreation: input.ForceAliasCreation ?? false,
    });
    return {};
  },
});
