import { UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException } from '../errors.ts';
import { revokeSession } from '../../auth/sessions/revocation.ts';
import { openRefreshToken } from '../auth/token-grant.ts';
import { APP_CLIENT_RECORD_KIND, type AppClientRecord } from '../clients/app-client.ts';
import { CLIENT_ROUTE } from '../clients/client-directory.ts';
import { secretsEqual } from '../clients/client-secret.ts';
import type { UserPoolServices } from '../services.ts';

/**
 * RevokeToken (Cognito API reference, developer guide "Ending user sessions with token
 * revocation"): revokes a refresh token, and with it every access token issued from it, by
 * ending its session. Other sessions of the user are untouched.
 *
 * RevokeToken's declared errors decide the answers: the client must exist and, when it has a
 * secret, present it (UnauthorizedException, as for a refresh token of another client); a client
 * with EnableTokenRevocation=false cannot revoke (UnsupportedOperationException); anything that is
 * not a refresh token of the client's pool, an access or ID token included, is
 * UnsupportedTokenTypeException. Revoking a revoked or expired refresh token succeeds.
 */
export async function revokeToken(services: UserPoolServices, input: { token: string; clientId: string; clientSecret?: string }): Promise<void> {
  const poolId = await services.vault.findPoolByRoute(CLIENT_ROUTE, input.clientId);
  if (!poolId) throw new UnauthorizedException(`Client ${input.clientId} is not authorized to revoke tokens.`);
  await services.vault.write(poolId, async (records) => {
    const client = await records.get<AppClientRecord>(APP_CLIENT_RECORD_KIND, input.clientId);
    if (!client) throw new UnauthorizedException(`Client ${input.clientId} is not authorized to revoke tokens.`);
    checkClientSecret(client, input.clientSecret);
    if (!client.settings.EnableTokenRevocation) throw new UnsupportedOperationException(`Token revocation is not enabled for client ${client.id}.`);
    const session = openRefreshToken(records, input.token);
    if (!session) throw new UnsupportedTokenTypeException('Only refresh tokens of this user pool can be revoked.');
    if (session.clientId !== client.id) throw new UnauthorizedException(`The refresh token was not issued to client ${client.id}.`);
    await revokeSession(records, session.sessionId, services.now(), session.expiresAt);
  });
}

/** A confidential client authenticates with its secret (a public client's ClientSecret is ignored). */
function checkClientSecret(client: AppClientRecord, given: string | undefined): void {
  if (!client.secret) return;
  if (given === undefined) throw new UnauthorizedException(`Client ${client.id} is configured with secret but ClientSecret was not received.`);
  if (!secretsEqual(client.secret, given)) throw new UnauthorizedException(`Unable to verify the secret of client ${client.id}.`);
}
