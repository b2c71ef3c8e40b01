import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { withPool } from '../../pools/pool-directory.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { readWithClient } from '../client-access.ts';
import { initiateAuth } from '../initiate-auth.ts';
import { authFlowShape, authParametersShape } from './initiate-auth.ts';

export const adminInitiateAuth = defineAction({
  name: 'AdminInitiateAuth',
  authorization: 'iam',
  input: z.object({
    UserPoolId: userPoolIdShape,
    ClientId: clientIdShape,
    AuthFlow: authFlowShape,
    AuthParameters: authParametersShape.optional(),
    ClientMetadata: clientMetadataShape,
    Session: z.string().min(20).max(2048).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    return withPool(input.UserPoolId, () =>
      readWithClient(services, input.ClientId, input.UserPoolId, (context, records) =>
        initiateAuth(services, records, context, { flow: input.AuthFlow, parameters: input.AuthParameters ?? {}, admin: true }),
      ),
    );
  },
});
