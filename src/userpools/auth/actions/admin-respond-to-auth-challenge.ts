import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { withPool } from '../../pools/pool-directory.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { openClient } from '../client-access.ts';
import { respondToChallenge } from '../respond-to-challenge.ts';
import { challengeShape } from './respond-to-auth-challenge.ts';

export const adminRespondToAuthChallenge = defineAction({
  name: 'AdminRespondToAuthChallenge',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, ClientId: clientIdShape, ...challengeShape }),
  async handle(input, services: UserPoolServices) {
    const context = await withPool(input.UserPoolId, () => openClient(services, input.ClientId, input.UserPoolId));
    return respondToChallenge(services, context, { challenge: input.ChallengeName, responses: input.ChallengeResponses ?? {}, session: input.Session });
  },
});
