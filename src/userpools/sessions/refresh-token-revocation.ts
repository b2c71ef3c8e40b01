import { revokeSession } from '../../auth/sessions/revocation.ts';
import { openRefreshToken } from '../auth/token-grant.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { findClient } from '../clients/client-directory.ts';
import type { UserPoolServices } from '../services.ts';

/**
 * What revoking a refresh token came to, for the protocol to answer in its own terms (Cognito's
 * RevokeToken, RFC 7009's /oauth2/revoke): only `revoked` changed anything.
 */
export type RefreshTokenRevocation =
  /** The token's session is ended (or already was: revoking twice, or an expired token, succeeds). */
  | { outcome: 'revoked' }
  /** The client has EnableTokenRevocation=false. */
  | { outcome: 'revocation-disabled' }
  /** Not a refresh token of this pool: an access or ID token, another pool's token, garbage. */
  | { outcome: 'not-a-refresh-token' }
  /** A refresh token of this pool, issued to another client. */
  | { outcome: 'issued-to-another-client' };

export interface RefreshTokenRevocationRequest {
  clientId: string;
  token: string;
  /**
   * How the client proves itself is the protocol's (a ClientSecret field, or RFC 6749 §2.3 client
   * authentication): given the stored client, or null when there is none, it returns the client
   * or throws the protocol's own error.
   */
  authenticate(client: AppClientRecord | null): AppClientRecord;
}

/**
 * Revokes a refresh token, and with it every access token issued from it, by ending its session
 * (revokeSession); other sessions of the user are untouched. The client check, the token check and
 * the revocation run in one transaction, so the client's settings cannot change between them.
 */
export function revokeRefreshToken(services: UserPoolServices, poolId: string, request: RefreshTokenRevocationRequest): Promise<RefreshTokenRevocation> {
  return services.vault.write(poolId, async (records): Promise<RefreshTokenRevocation> => {
    const client = request.authenticate(await findClient(records, request.clientId));
    if (!client.settings.EnableTokenRevocation) return { outcome: 'revocation-disabled' };
    const session = openRefreshToken(records, request.token);
    if (!session) return { outcome: 'not-a-refresh-token' };
    if (session.clientId !== client.id) return { outcome: 'issued-to-another-client' };
    await revokeSession(records, session.sessionId, services.now(), session.expiresAt);
    return { outcome: 'revoked' };
  });
}
