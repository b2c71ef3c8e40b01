import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { identifierShape, resourceServerNameShape, scopesShape, toResourceServerType } from '../resource-server.ts';
import { createResourceServer as create } from '../resource-server-directory.ts';

/** CreateResourceServer (Cognito API reference). */
export const createResourceServer = defineAction({
  name: 'CreateResourceServer',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Identifier: identifierShape, Name: resourceServerNameShape, Scopes: scopesShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const server = await create(services, input.UserPoolId, { identifier: input.Identifier, name: input.Name, scopes: input.Scopes });
    return { ResourceServer: toResourceServerType(input.UserPoolId, server) };
  },
});
