import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { revokeSession } from '../../auth/sessions/revocation.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { tokenLifetimes, type AppClientRecord } from '../../userpools/clients/app-client.ts';
import { grantSession, startSession, type AuthenticationResult } from '../../userpools/auth/token-grant.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../userpools/users/user-record.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { markCodeUsed, usedCodeRecord, type UsedCodeRecord } from './used-codes.ts';

/**
 * Authorization codes (RFC 6749 §4.1.2). A code is self-contained: the grant it stands for,
 * sealed (AES-256-GCM) under the pool's token key with purpose `authorization-code`, so issuing
 * one writes nothing and any region holding the pool can redeem it. It is bound to the client,
 * the redirect URI, the PKCE challenge, the nonce, the scopes and the sign-in time, and expires
 * after five minutes (Cognito's lifetime; RFC 6749 §4.1.2 recommends at most ten).
 *
 * Single use is the one thing a sealed token cannot enforce alone: redeeming a code records the
 * session id (`origin_jti`) of the tokens it produces (./used-codes.ts), in the transaction that
 * chooses that session (the tokens are signed once it commits, token-grant.ts startSession; at a
 * secondary replica, which has no such transaction, the record is put atomically if absent). A
 * second redemption finds the record, fails with invalid_grant and revokes that session, so the
 * refresh token and every access token of the first redemption stop working ("If an authorization
 * code is used more than once, the authorization server MUST deny the request and SHOULD revoke
 * (when possible) all tokens previously issued based on that authorization code", RFC 6749
 * §4.1.2).
 */
const PURPOSE = 'authorization-code';
export const AUTHORIZATION_CODE_SECONDS = 5 * 60;

export interface AuthorizationCodeContent {
  id: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  /** Epoch seconds of the user's sign-in. */
  authTime: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}


export function issueAuthorizationCode(records: EncryptedRecords, request: AuthorizationRequest, user: UserRecord, authTime: number, now: number): string {
  const content: AuthorizationCodeContent = {
    id: randomUUID(),
    clientId: request.client.id,
    userId: user.id,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' '),
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    authTime,
    expiresAt: now + AUTHORIZATION_CODE_SECONDS * 1000,
  };
  return records.sealToken(PURPOSE, content);
}

/** Opens a code of this pool; null for anything else (tampered, another pool, another kind of token). */
export function openAuthorizationCode(records: EncryptedRecords, code: string): AuthorizationCodeContent | null {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(code)) return null;
  return records.openToken<AuthorizationCodeContent>(PURPOSE, code);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time. */
export function verifierMatches(codeVerifier: string, codeChallenge: string): boolean {
  const computed = createHash('sha256').update(codeVerifier, 'ascii').digest();
  const expected = Buffer.from(codeChallenge, 'base64url');
  return expected.length === computed.length && timingSafeEqual(computed, expected);
}

/** Why a code gives no tokens: used before (its first use's session is now revoked), expired, or its user is gone or disabled. */
type Refusal = { outcome: 'reused' } | { outcome: 'expired' } | { outcome: 'user-unavailable' };

export type Redemption = { outcome: 'issued'; tokens: AuthenticationResult } | Refusal;

/**
 * Marks the code used in a write transaction of the pool and, once that commits, issues its
 * tokens; or, for a code used before, revokes the session its tokens belong to. The caller has
 * checked everything else (client, redirect URI, expiry, PKCE), so only a caller able to redeem
 * the code can trigger the revocation. `view` is the caller's read view of the pool, where the
 * tokens are signed.
 */
export async function redeemAuthorizationCode(
  services: UserPoolServices,
  view: EncryptedRecords,
  client: AppClientRecord,
  code: AuthorizationCodeContent,
): Promise<Redemption> {
  // What signing needs and can fail on (the pool's keys: a KMS unwrap on a cache miss) is fetched
  // before the code is used up, so such a failure leaves the code redeemable by a retry.
  await services.signingKeys.keysFor(view.poolId);
  const claim = await services.vault.write(view.poolId, (records) => claimAuthorizationCode(services, records, client, code));
  if (claim.outcome !== 'claimed') return claim;
  // auth_time is the sign-in's (OIDC Core §2), carried by the code, not the time of this exchange.
  const { tokens } = await grantSession(services, view, { client, user: claim.user, scope: code.scope, nonce: code.nonce, authTime: code.authTime, startedSession: claim.sessionId, now: claim.now });
  return { outcome: 'issued', tokens };
}

/** `now`: the claim's clock, which the tokens are issued at, so the refresh token expires exactly when the used-code record says (sessionExpiresAt). */
export type Claim = { outcome: 'claimed'; user: UserRecord; sessionId: string; now: number } | Refusal;

/** The transaction of a redemption: the used-code record and the session it names, or the revocation of a reuse. */
export async function claimAuthorizationCode(services: UserPoolServices, records: EncryptedRecords, client: AppClientRecord, code: AuthorizationCodeContent): Promise<Claim> {
  const used = await usedCodeRecord(records, code.id);
  // The clock is read after the record, and expiry checked again: records of expired codes are
  // swept, so a code whose record a sweep has just dropped must be found expired here, not unused
  // (the caller's expiry check ran before and cannot tell).
  const now = services.now();
  if (used) return refuseReuse(records, used, now);
  if (code.expiresAt <= now) return { outcome: 'expired' };
  const user = await records.get<UserRecord>(USER_RECORD_KIND, code.userId);
  if (!user || !user.enabled) return { outcome: 'user-unavailable' };
  const sessionId = await startSession(records, user.id, now);
  // Found unused above, but at a secondary replica another redemption of the code may have
  // recorded it since: markCodeUsed decides atomically, and the loser is a reuse like any other.
  const marking = await markCodeUsed(records, code.id, { sessionId, usedAt: now, expiresAt: code.expiresAt, sessionExpiresAt: now + tokenLifetimes(client).refresh * 1000 }, () => services.now());
  if (marking.outcome === 'used-before') return refuseReuse(records, marking.used, services.now());
  if (marking.outcome === 'expired') return marking;
  return { outcome: 'claimed', user, sessionId, now };
}

/** A code used before: revokes the session of its first use (RFC 6749 §4.1.2) and refuses it. */
async function refuseReuse(records: EncryptedRecords, used: UsedCodeRecord, now: number): Promise<Refusal> {
  await revokeSession(records, used.sessionId, now, used.sessionExpiresAt);
  return { outcome: 'reused' };
}
