import { requireAuthFlow } from '../../../userpools/auth/auth-flow-policy.ts';
import { refreshTokens } from '../../../userpools/auth/refresh.ts';
import { NotAuthorizedException } from '../../../userpools/errors.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../oauth-errors.ts';
import type { GrantHandler, TokenResponse } from '../grant-type.ts';
import { grantsIdToken } from './authorization-code.ts';

/**
 * The refresh token grant (RFC 6749 §6) with REFRESH_TOKEN_AUTH's semantics (refreshTokens):
 * refresh tokens from the user-pool API and from this endpoint are one kind, bound to their client
 * and session, refused once expired, revoked or signed out, or when the user is disabled. New ID
 * and access tokens, no new refresh token (Cognito without refresh-token rotation). A `scope`
 * parameter is ignored, as Cognito does: the session keeps the scopes it was granted.
 */
export const refreshTokenGrant: GrantHandler = async ({ services, records, client, parameters }) => {
  const refreshToken = parameters.get('refresh_token');
  if (refreshToken === undefined) throw new InvalidRequest('refresh_token is required.');
  try {
    requireAuthFlow(client.client, 'REFRESH_TOKEN_AUTH');
  } catch {
    throw new UnauthorizedClient('The client is not allowed to refresh tokens (ALLOW_REFRESH_TOKEN_AUTH).');
  }
  // The client already proved its secret to the token endpoint, which SECRET_HASH stands in for in the API.
  const authenticated = { ...client.client, secret: undefined };
  try {
    const { tokens, scope } = await refreshTokens(services, records, authenticated, { refreshToken });
    const response: TokenResponse = { access_token: tokens.AccessToken, expires_in: tokens.ExpiresIn, token_type: 'Bearer' };
    if (grantsIdToken(scope)) response.id_token = tokens.IdToken;
    return response;
  } catch (error) {
    if (error instanceof NotAuthorizedException) throw new InvalidGrant(error.message);
    throw error;
  }
};
