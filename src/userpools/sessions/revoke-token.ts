import { UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { CLIENT_ROUTE } from '../clients/client-directory.ts';
import { secretsEqual } from '../clients/client-secret.ts';
import type { UserPoolServices } from '../services.ts';
import { revokeRefreshToken } from './refresh-token-revocation.ts';

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
  const unknownClient = () => new UnauthorizedException(`Client ${input.clientId} is not authorized to revoke tokens.`);
  const poolId = await services.vault.findPoolByRoute(CLIENT_ROUTE, input.clientId);
  if (!poolId) throw unknownClient();
  const revocation = await revokeRefreshToken(services, poolId, {
    clientId: input.clientId,
    token: input.token,
    authenticate(client) {
      if (!client) throw unknownClient();
      checkClientSecret(client, input.clientSecret);
      return client;
    },
  });
  switch (revocation.outcome) {
    case 'revoked':
      return;
    case 'revocation-disabled':
      throw new UnsupportedOperationException(`Token revocation is not enabled for client ${input.clientId}.`);
    case 'not-a-refresh-token':
      throw new UnsupportedTokenTypeException('Only refresh tokens of this user pool can be revoked.');
    case 'issued-to-another-client':
      throw new UnauthorizedException(`The refresh token was not issued to client ${input.clientId}.`);
  }
}

/** A confidential client authenticates with its secret (a public client's ClientSecret is ignored). */
function checkClientSecret(client: AppClientRecord, given: string | undefined): void {
  if (!client.secret) return;
  if (given === undefined) throw new UnauthorizedException(`Client ${client.id} is configured with secret but ClientSecret was not received.`);
  if (!secretsEqual(client.secret, given)) throw new UnauthorizedException(`Unable to verify the secret of client ${client.id}.`);
}
