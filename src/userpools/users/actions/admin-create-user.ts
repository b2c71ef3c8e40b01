import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeListShape, clientMetadataShape, passwordShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { adminCreateUser as createUser } from '../admin-create-user.ts';
import { attributesToMap } from '../user-attributes.ts';
import { toUserType } from '../user-view.ts';

export const adminCreateUser = defineAction({
  name: 'AdminCreateUser',
  authorization: 'iam',
  input: z.object({
    UserPoolId: userPoolIdShape,
    Username: usernameShape,
    UserAttributes: attributeListShape.optional(),
    ValidationData: attributeListShape.optional(),
    TemporaryPassword: passwordShape.optional(),
    ForceAliasCreation: z.boolean().optional(),
    MessageAction: z.enum(['RESEND', 'SUPPRESS']).optional(),
    DesiredDeliveryMediums: z.array(z.enum(['SMS', 'EMAIL'])).max(2).optional(),
    ClientMetadata: clientMetadataShape,
  }),
  async handle(input, services: UserPoolServices) {
    const user = await createUser(services, {
      poolId: input.UserPoolId,
      username: input.Username,
      attributes: attributesToMap(input.UserAttributes),
      temporaryPassword: input.TemporaryPassword,
      forceAliasCreation: input.ForceAliasCreation ?? false,
      messageAction: input.MessageAction,
      deliveryMediums: input.DesiredDeliveryMediums ?? [],
    });
    return { User: toUserType(user) };
  },
});
