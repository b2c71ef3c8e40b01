import { issueTokens } from '../../auth/tokens/token-issuer.ts';
import { newSessionId } from '../../auth/sessions/session-ids.ts';
import { sessionStartFor } from '../../auth/sessions/revocation.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { tokenLifetimes, type AppClientRecord } from '../clients/app-client.ts';
import { issuerOfPool, issuerOfRecords } from './issuers.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { groupClaimsOfUser } from '../groups/group-memberships.ts';
import type { UserPoolServices } from '../services.ts';
import type { UserRecord } from '../users/user-record.ts';

/** The scope of tokens from the Cognito API's sign-in flows (COGNITO-FACTS "Tokens"). */
export const API_SIGN_IN_SCOPE = 'aws.cognito.signin.user.admin';

/** What a refresh token holds, sealed under the pool's token key (docs/SECURITY.md). */
export interface RefreshTokenContent {
  userId: string;
  clientId: string;
  sessionId: string;
  authTime: number;
  scope: string;
  expiresAt: number;
}

const REFRESH_PURPOSE = 'refresh';

export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

export interface GrantInput {
  client: AppClientRecord;
  user: UserRecord;
  session?: RefreshTokenContent;
  scope?: string;
  nonce?: string;
  /** Epoch seconds of the sign-in, when earlier than now (OAuth code exchange). */
  authTime?: number;
  /** The pool record the caller already read for this request (spares reading and decrypting it again for the issuer). */
  pool?: UserPoolRecord;
  /** The id of the new session, when the caller chose it already with startSession. */
  startedSession?: string;
  /** The time to issue at, when the caller recorded the session with it already (default: now). */
  now?: number;
}

/**
 * The id of a new session of the user, begun now (or just after the user's last sign-out). A
 * caller that must commit a write with the session (a new password, a used authorization code)
 * chooses it in that transaction and signs the tokens after the commit: a pool's writers wait for
 * its open transaction, and RS256 signatures take their turn in libuv's thread pool. Chosen in the
 * transaction, the session is still ordered with the user's sign-outs: one that commits after it
 * ends the session, whenever its tokens are signed.
 */
export async function startSession(records: EncryptedRecords, userId: string, now: number): Promise<string> {
  return newSessionId(await sessionStartFor(records, userId, now));
}

/**
 * Signs ID and access tokens for a user and, for a new sign-in, a refresh token that starts a
 * session. A refresh reuses the session (its origin_jti and auth_time) and returns no new
 * refresh token, as Cognito does without refresh-token rotation.
 */
export async function grantTokens(services: UserPoolServices, records: EncryptedRecords, input: GrantInput): Promise<AuthenticationResult> {
  return (await grantSession(services, records, input)).tokens;
}

/** grantTokens, and the id of the session the tokens belong to (new or refreshed). */
export async function grantSession(services: UserPoolServices, records: EncryptedRecords, input: GrantInput): Promise<{ tokens: AuthenticationResult; sessionId: string }> {
  const now = input.now ?? services.now();
  const lifetimes = tokenLifetimes(input.client);
  const sessionId = input.session?.sessionId ?? input.startedSession ?? (await startSession(records, input.user.id, now));
  const authTime = input.session?.authTime ?? input.authTime ?? Math.floor(now / 1000);
  const scope = input.session?.scope ?? input.scope ?? API_SIGN_IN_SCOPE;
  const signingKeys = await services.signingKeys.keysFor(records.poolId);
  const tokens = await issueTokens(signingKeys, {
    issuer: input.pool ? issuerOfPool(services, input.pool) : await issuerOfRecords(services, records),
    clientId: input.client.id,
    user: { sub: input.user.sub, username: input.user.username, attributes: input.user.attributes, ...(await groupClaimsOfUser(records, input.user.id)) },
    authTime,
    originJti: sessionId,
    scope,
    idTokenSeconds: lifetimes.id,
    accessTokenSeconds: lifetimes.access,
    nonce: input.nonce,
    now,
  });
  const result: AuthenticationResult = { AccessToken: tokens.accessToken, IdToken: tokens.idToken, ExpiresIn: lifetimes.access, TokenType: 'Bearer' };
  if (!input.session) {
    const content: RefreshTokenContent = { userId: input.user.id, clientId: input.client.id, sessionId, authTime, scope, expiresAt: now + lifetimes.refresh * 1000 };
    result.RefreshToken = records.sealToken(REFRESH_PURPOSE, content);
  }
  return { tokens: result, sessionId };
}

/** Opens a refresh token of this pool; null when it is not one (tampered, other pool, garbage). */
export function openRefreshToken(records: EncryptedRecords, token: string): RefreshTokenContent | null {
  return records.openToken<RefreshTokenContent>(REFRESH_PURPOSE, token);
}
