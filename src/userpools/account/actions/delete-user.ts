import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { deleteUser as deleteUserRecords } from '../../users/user-directory.ts';
import { withSignedInUser } from '../signed-in-user.ts';
import { tokenShape } from './token-shapes.ts';

/**
 * DeleteUser (Cognito API reference): the signed-in user deletes themselves, with everything that
 * hangs off the user, as AdminDeleteUser does. Their tokens then fail with "User does not exist.".
 */
export const deleteUser = defineAction({
  name: 'DeleteUser',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    await withSignedInUser(services, auth, (user, _pool, records) => deleteUserRecords(records, user));
    return {};
  },
});
