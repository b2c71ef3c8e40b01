import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { passwordShape } from '../../shared/input-shapes.ts';
import { changePassword as changeUserPassword } from '../change-password.ts';
import { tokenShape } from './token-shapes.ts';

/** ChangePassword (Cognito API reference); see change-password.ts for what happens to sessions. */
export const changePassword = defineAction({
  name: 'ChangePassword',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape, PreviousPassword: passwordShape.optional(), ProposedPassword: passwordShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    await changeUserPassword(services, auth, { previousPassword: input.PreviousPassword, proposedPassword: input.ProposedPassword });
    return {};
  },
});
