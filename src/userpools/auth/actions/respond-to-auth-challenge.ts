import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, clientMetadataShape } from '../../shared/input-shapes.ts';
import { openClient } from '../client-access.ts';
import { respondToChallenge } from '../respond-to-challenge.ts';

export const challengeShape = {
  ChallengeName: z.enum(['SMS_MFA', 'EMAIL_OTP', 'SOFTWARE_TOKEN_MFA', 'SELECT_MFA_TYPE', 'MFA_SETUP', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE', 'SELECT_CHALLENGE', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER', 'ADMIN_NO_SRP_AUTH', 'NEW_PASSWORD_REQUIRED', 'SMS_OTP', 'PASSWORD', 'WEB_AUTHN', 'PASSWORD_SRP']),
  ChallengeResponses: z.record(z.string().max(256), z.string().max(8192)).optional(),
  Session: z.string().min(20).max(2048).optional(),
  ClientMetadata: clientMetadataShape,
};

export const respondToAuthChallenge = defineAction({
  name: 'RespondToAuthChallenge',
  authorization: 'public',
  input: z.object({ ClientId: clientIdShape, ...challengeShape }),
  async handle(input, services: UserPoolServices, request) {
    const context = await openClient(services, input.ClientId, request.clientPoolId);
    return respondToChallenge(services, context, { challenge: input.ChallengeName, responses: input.ChallengeResponses ?? {}, session: input.Session });
  },
});
