import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { toUserPoolClientType } from '../app-client.ts';
import { updateClient } from '../client-directory.ts';
import { clientNameShape, clientSettingsShape } from '../client-settings.ts';

/** UpdateUserPoolClient (Cognito API reference): settings left out return to their defaults. */
export const updateUserPoolClient = defineAction({
  name: 'UpdateUserPoolClient',
  authorization: 'iam',
  input: clientSettingsShape.extend({ UserPoolId: userPoolIdShape, ClientId: clientIdShape, ClientName: clientNameShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const { UserPoolId, ClientId, ClientName, ...settings } = input;
    const client = await updateClient(services, UserPoolId, ClientId, { name: ClientName, settings });
    return { UserPoolClient: toUserPoolClientType(client) };
  },
});
