import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { tokenShape } from '../../account/actions/token-shapes.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { globalSignOut as signOutUser } from '../sign-out.ts';

export const globalSignOut = defineAction({
  name: 'GlobalSignOut',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape }),
  async handle(input, services: UserPoolServices) {
    await signOutUser(services, await authenticateAccessToken(services, input.AccessToken));
    return {};
  },
});
