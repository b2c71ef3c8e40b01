import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { identifierShape } from '../resource-server.ts';
import { deleteResourceServer as remove } from '../resource-server-directory.ts';

/** DeleteResourceServer (Cognito API reference). */
export const deleteResourceServer = defineAction({
  name: 'DeleteResourceServer',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Identifier: identifierShape }),
  async handle(input, services: UserPoolServices) {
    await remove(services, input.UserPoolId, input.Identifier);
    return {};
  },
});
