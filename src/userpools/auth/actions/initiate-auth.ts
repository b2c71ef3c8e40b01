import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape } from '../../shared/input-shapes.ts';
import { openClient } from '../client-access.ts';
import { initiateAuth as initiate } from '../initiate-auth.ts';

export const authParametersShape = z.record(z.string().max(256), z.string().max(8192));

export const initiateAuth = defineAction({
  name: 'InitiateAuth',
  authorization: 'public',
  input: z.object({
    AuthFlow: z.string().min(1).max(64),
    ClientId: clientIdShape,
    AuthParameters: authParametersShape.optional(),
    ClientMetadata: clientMetadataShape,
    AnalyticsMetadata: z.object({ AnalyticsEndpointId: z.string().optional() }).optional(),
    UserContextData: z.object({ IpAddress: z.string().optional(), EncodedData: z.string().optional() }).optional(),
    Session: z.string().max(2048).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const context = await openClient(services, input.ClientId);
    return initiate(services, context, { flow: input.AuthFlow, parameters: input.AuthParameters ?? {}, admin: false });
  },
});
