import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeNameShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { deleteAttributes } from '../user-changes.ts';

export const adminDeleteUserAttributes = defineAction({
  name: 'AdminDeleteUserAttributes',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, UserAttributeNames: z.array(attributeNameShape).max(100) }),
  async handle(input, services: UserPoolServices) {
    await deleteAttributes(services, input.UserPoolId, input.Username, input.UserAttributeNames);
    return {};
  },
});
