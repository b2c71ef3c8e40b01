import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { identifierShape, resourceServerNameShape, scopesShape, toResourceServerType } from '../resource-server.ts';
import { updateResourceServer as update } from '../resource-server-directory.ts';

/** UpdateResourceServer (Cognito API reference): Name is required, Scopes left out become none. */
export const updateResourceServer = defineAction({
  name: 'UpdateResourceServer',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Identifier: identifierShape, Name: resourceServerNameShape, Scopes: scopesShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const server = await update(services, input.UserPoolId, { identifier: input.Identifier, name: input.Name, scopes: input.Scopes });
    return { ResourceServer: toResourceServerType(input.UserPoolId, server) };
  },
});
