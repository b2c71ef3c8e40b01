import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { readableAttributes } from '../attribute-permissions.ts';
import { clientOfToken } from '../token-client.ts';
import { tokenShape } from './token-shapes.ts';

/**
 * GetUser (Cognito API reference): the signed-in user's username and the attributes the token's
 * app client may read, sub first. No MFA is configured for users yet, so UserMFASettingList is
 * empty (as AdminGetUser answers) and the deprecated MFAOptions is left out, as Cognito does for
 * users without SMS MFA.
 */
export const getUser = defineAction({
  name: 'GetUser',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    const client = await services.vault.read(auth.pool.id, (records) => clientOfToken(records, auth));
    return { Username: auth.user.username, UserAttributes: readableAttributes(auth.pool, client, auth.user), UserMFASettingList: [] };
  },
});
