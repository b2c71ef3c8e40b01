import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { toUserPoolClientType } from '../app-client.ts';
import { createClient } from '../client-directory.ts';
import { clientNameShape, clientSecretShape, clientSettingsShape } from '../client-settings.ts';

/** CreateUserPoolClient (Cognito API reference). */
export const createUserPoolClient = defineAction({
  name: 'CreateUserPoolClient',
  authorization: 'iam',
  input: clientSettingsShape.extend({
    UserPoolId: userPoolIdShape,
    ClientName: clientNameShape,
    GenerateSecret: z.boolean().optional(),
    ClientSecret: clientSecretShape.optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const { UserPoolId, ClientName, GenerateSecret, ClientSecret, ...settings } = input;
    const client = await createClient(services, UserPoolId, { name: ClientName, generateSecret: GenerateSecret, clientSecret: ClientSecret, settings });
    return { UserPoolClient: toUserPoolClientType(client) };
  },
});
