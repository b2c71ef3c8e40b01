import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeListShape, clientMetadataShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { attributesToMap } from '../user-attributes.ts';
import { updateAttributes } from '../user-changes.ts';

export const adminUpdateUserAttributes = defineAction({
  name: 'AdminUpdateUserAttributes',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, UserAttributes: attributeListShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    await updateAttributes(services, input.UserPoolId, input.Username, attributesToMap(input.UserAttributes));
    return {};
  },
});
