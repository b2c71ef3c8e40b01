import { isSessionActive } from '../../auth/sessions/revocation.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { NotAuthorizedException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { checkSecretHash } from './client-access.ts';
import { grantTokens, openRefreshToken, type AuthenticationResult } from './token-grant.ts';

/** New tokens of a refresh and the scope of their session (the OAuth endpoint returns an ID token only with `openid`). */
export interface RefreshedTokens {
  tokens: AuthenticationResult;
  scope: string;
}

/**
 * REFRESH_TOKEN_AUTH: new ID and access tokens for a live session. The refresh token is
 * self-contained (sealed under the pool's token key), so this works in any region that holds the
 * pool; revocation is checked against the replicated sign-out watermark and revoked sessions.
 */
export async function refreshTokens(
  services: UserPoolServices,
  records: EncryptedRecords,
  client: AppClientRecord,
  input: { refreshToken: string; secretHash?: string; username?: string; /** The pool record, when the caller has read it already. */ pool?: UserPoolRecord },
): Promise<RefreshedTokens> {
  const session = openRefreshToken(records, input.refreshToken);
  if (!session || session.clientId !== client.id) throw new NotAuthorizedException('Invalid Refresh Token');
  if (session.expiresAt <= services.now()) throw new NotAuthorizedException('Refresh Token has expired');
  const user = await records.get<UserRecord>(USER_RECORD_KIND, session.userId);
  if (!user) throw new NotAuthorizedException('Invalid Refresh Token');
  if (client.secret) {
    // Cognito computes SECRET_HASH for refreshes with the username or, in email/phone pools, the sub.
    const candidates = [input.username, user.username, user.sub].filter((value): value is string => Boolean(value));
    const matched = candidates.some((username) => {
      try {
        checkSecretHash(client, username, input.secretHash);
        return true;
      } catch {
        return false;
      }
    });
    if (!matched) checkSecretHash(client, user.username, input.secretHash);
  }
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (!(await isSessionActive(records, user.id, session.sessionId))) throw new NotAuthorizedException('Refresh Token has been revoked');
  return { tokens: await grantTokens(services, records, { client, user, session, pool: input.pool }), scope: session.scope };
}
