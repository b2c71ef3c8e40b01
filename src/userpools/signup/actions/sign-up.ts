import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { analyticsMetadataShape, secretHashShape, userContextDataShape } from '../../codes/public-input-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeListShape, clientIdShape, clientMetadataShape, passwordShape, usernameShape } from '../../shared/input-shapes.ts';
import { attributesToMap } from '../../users/user-attributes.ts';
import { signUp as register } from '../sign-up.ts';

/** SignUp (public). ValidationData and ClientMetadata feed Lambda triggers, which Meridian does not run. */
export const signUp = defineAction({
  name: 'SignUp',
  authorization: 'public',
  input: z.object({
    ClientId: clientIdShape,
    SecretHash: secretHashShape.optional(),
    Username: usernameShape,
    Password: passwordShape.optional(),
    UserAttributes: attributeListShape.optional(),
    ValidationData: attributeListShape.optional(),
    AnalyticsMetadata: analyticsMetadataShape,
    UserContextData: userContextDataShape,
    ClientMetadata: clientMetadataShape,
  }),
  async handle(input, services: UserPoolServices) {
    return register(services, {
      clientId: input.ClientId,
      secretHash: input.SecretHash,
      username: input.Username,
      password: input.Password,
      attributes: attributesToMap(input.UserAttributes),
    });
  },
});
