import type { GrantRegistry } from '../grant-type.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/**
 * Every grant type the token endpoint serves, by its grant_type value: one file per grant in this
 * folder and one line here (authorization_code and refresh_token join the same way). A
 * grant_type not listed is unsupported_grant_type.
 */
export const grantTypes: GrantRegistry = {
  authorization_code: authorizationCodeGrant,
  client_credentials: clientCredentialsGrant,
  refresh_token: refreshTokenGrant,
};
