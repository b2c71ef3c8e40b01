import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape } from '../../shared/input-shapes.ts';
import { readWithClient } from '../client-access.ts';
import { initiateAuth as initiate } from '../initiate-auth.ts';

/** AuthFlowType of the service model; unknown values are InvalidParameterException, not lookups. */
export const authFlowShape = z.enum(['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'CUSTOM_AUTH', 'ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'USER_AUTH']);

export const authParametersShape = z.record(z.string().max(256), z.string().max(8192));

export const initiateAuth = defineAction({
  name: 'InitiateAuth',
  authorization: 'public',
  input: z.object({
    AuthFlow: authFlowShape,
    ClientId: clientIdShape,
    AuthParameters: authParametersShape.optional(),
    ClientMetadata: clientMetadataShape,
    AnalyticsMetadata: z.object({ AnalyticsEndpointId: z.string().optional() }).optional(),
    UserContextData: z.object({ IpAddress: z.string().optional(), EncodedData: z.string().optional() }).optional(),
    Session: z.string().min(20).max(2048).optional(),
  }),
  async handle(input, services: UserPoolServices, request) {
    return readWithClient(services, input.ClientId, request.clientPoolId, (context, records) =>
      initiate(services, records, context, { flow: input.AuthFlow, parameters: input.AuthParameters ?? {}, admin: false }),
    );
  },
});
