import { API_SIGN_IN_SCOPE } from '../../../userpools/auth/token-grant.ts';
import { openAuthorizationCode, redeemAuthorizationCode, verifierMatches } from '../../authorize/authorization-code.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../oauth-errors.ts';
import type { GrantHandler, TokenResponse } from '../grant-type.ts';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const EXPIRED = 'The authorization code has expired.';

/**
 * The authorization code grant (RFC 6749 §4.1.3, OIDC Core §3.1.3): a code from
 * /oauth2/authorize for ID, access and refresh tokens. The code must be this client's, unexpired,
 * unused, asked for with this redirect_uri, and, when the authorization request carried a PKCE
 * challenge, answered with its verifier (RFC 7636 §4.6, S256, compared in constant time). A
 * verifier for a code issued without a challenge is refused too (RFC 9700 §2.1.1, downgrade).
 * Every failure about the code is invalid_grant; a second use also revokes what the first issued
 * (src/oauth/authorize/authorization-code.ts).
 */
export const authorizationCodeGrant: GrantHandler = async ({ services, records, client, parameters }) => {
  const settings = client.client.settings;
  if (!settings.AllowedOAuthFlowsUserPoolClient || !settings.AllowedOAuthFlows?.includes('code')) {
    throw new UnauthorizedClient('The client is not allowed the authorization_code grant.');
  }
  const code = parameters.get('code');
  if (code === undefined) throw new InvalidRequest('code is required.');
  const redirectUri = parameters.get('redirect_uri');
  if (redirectUri === undefined) throw new InvalidRequest('redirect_uri is required.');
  const verifier = parameters.get('code_verifier');
  if (verifier !== undefined && !CODE_VERIFIER.test(verifier)) throw new InvalidRequest('code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1).');

  const content = await openAuthorizationCode(records, code);
  if (!content || content.clientId !== client.client.id) throw new InvalidGrant('The authorization code is invalid.');
  if (content.expiresAt <= services.now()) throw new InvalidGrant(EXPIRED);
  if (content.redirectUri !== redirectUri) throw new InvalidGrant('redirect_uri does not match the one of the authorization request.');
  if (content.codeChallenge !== undefined) {
    if (verifier === undefined || !verifierMatches(verifier, content.codeChallenge)) throw new InvalidGrant('code_verifier does not match the code_challenge.');
  } else if (verifier !== undefined) {
    throw new InvalidGrant('The authorization request had no code_challenge.');
  }

  const redemption = await redeemAuthorizationCode(services, records, client.client, content);
  if (redemption.outcome === 'reused') throw new InvalidGrant('The authorization code has already been used.');
  if (redemption.outcome === 'expired') throw new InvalidGrant(EXPIRED);
  if (redemption.outcome === 'user-unavailable') throw new InvalidGrant('The user of the authorization code no longer exists or is disabled.');
  const { tokens } = redemption;
  const response: TokenResponse = { access_token: tokens.AccessToken, refresh_token: tokens.RefreshToken, expires_in: tokens.ExpiresIn, token_type: 'Bearer' };
  if (grantsIdToken(content.scope)) response.id_token = tokens.IdToken;
  return response;
};

/**
 * Cognito returns an ID token only when `openid` was granted; sessions of the user-pool API
 * (scope aws.cognito.signin.user.admin alone) always had one.
 */
export function grantsIdToken(scope: string): boolean {
  const scopes = scope.split(' ');
  return scopes.includes('openid') || scope === API_SIGN_IN_SCOPE;
}
