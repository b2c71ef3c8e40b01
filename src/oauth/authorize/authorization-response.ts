import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { grantTokens } from '../../userpools/auth/token-grant.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import type { UserRecord } from '../../userpools/users/user-record.ts';
import { redirectUrl } from './authorization-errors.ts';
import { issueAuthorizationCode } from './authorization-code.ts';
import type { AuthorizationRequest } from './authorization-request.ts';

/**
 * Where the browser goes once the user is signed in: the client's redirect URI with a code
 * (RFC 6749 §4.1.2) or, for the implicit flow, with the tokens in the fragment (§4.2.2: ID and
 * access token, no refresh token), plus the request's state.
 */
export async function authorizationRedirect(
  services: UserPoolServices,
  records: EncryptedRecords,
  request: AuthorizationRequest,
  user: UserRecord,
  authTime: number,
): Promise<string> {
  const now = services.now();
  if (request.responseType === 'code') {
    return redirectUrl(request.target, { code: issueAuthorizationCode(records, request, user, authTime, now) });
  }
  // auth_time is the sign-in's, also when a browser session from earlier answers (OIDC Core §2).
  const tokens = await grantTokens(services, records, { client: request.client, user, scope: request.scopes.join(' '), nonce: request.nonce, authTime, now });
  return redirectUrl(request.target, {
    access_token: tokens.AccessToken,
    // Cognito returns an ID token only when openid was granted.
    id_token: request.scopes.includes('openid') ? tokens.IdToken : undefined,
    token_type: 'Bearer',
    expires_in: String(tokens.ExpiresIn),
  });
}
