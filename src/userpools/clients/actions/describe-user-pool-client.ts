import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { toUserPoolClientType } from '../app-client.ts';
import { getClient } from '../client-directory.ts';

/** DescribeUserPoolClient (Cognito API reference): every setting, and the secret if there is one. */
export const describeUserPoolClient = defineAction({
  name: 'DescribeUserPoolClient',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, ClientId: clientIdShape }),
  async handle(input, services: UserPoolServices) {
    return { UserPoolClient: toUserPoolClientType(await getClient(services, input.UserPoolId, input.ClientId)) };
  },
});
