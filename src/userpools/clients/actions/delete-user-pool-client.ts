import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { deleteClient } from '../client-directory.ts';

/** DeleteUserPoolClient (Cognito API reference). */
export const deleteUserPoolClient = defineAction({
  name: 'DeleteUserPoolClient',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, ClientId: clientIdShape }),
  async handle(input, services: UserPoolServices) {
    await deleteClient(services, input.UserPoolId, input.ClientId);
    return {};
  },
});
