import { decodeJwt } from 'jose';
import { isSessionActive } from '../../auth/sessions/revocation.ts';
import { TokenRejected, verifyPoolToken } from '../../auth/tokens/token-verifier.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { PoolMissing } from '../../store/store.ts';
import { NotAuthorizedException, PasswordResetRequiredException } from '../errors.ts';
import { loadPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { USER_LOOKUPS } from '../users/user-directory.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { API_SIGN_IN_SCOPE } from './token-grant.ts';
import { acceptedIssuers } from './issuers.ts';
import { USER_POOL_ID_PATTERN } from '../shared/identifiers.ts';


export interface AuthenticatedUser {
  pool: UserPoolRecord;
  user: UserRecord;
  sessionId: string;
  clientId: string;
}

/**
 * Authenticates a token-authorized action (GetUser, ChangePassword, GlobalSignOut, ...): the access
 * token must be signed by its pool's key, issued by this deployment for that pool, unexpired, an
 * access token with the `aws.cognito.signin.user.admin` scope, of an existing enabled user, and
 * from a session that was not signed out or revoked. Every failure is NotAuthorizedException,
 * except a user whose password an administrator reset (PasswordResetRequiredException).
 */
export async function authenticateAccessToken(services: UserPoolServices, accessToken: string): Promise<AuthenticatedUser> {
  const poolId = poolIdOf(accessToken);
  let claims;
  try {
    claims = await verifyPoolToken(accessToken, await services.signingKeys.keysFor(poolId), {
      issuers: acceptedIssuers(services, poolId),
      tokenUse: 'access',
      now: services.now(),
    });
  } catch (error) {
    if (error instanceof TokenRejected) throw new NotAuthorizedException(error.problem === 'expired' ? 'Access Token has expired' : 'Invalid Access Token');
    if (error instanceof PoolMissing) throw new NotAuthorizedException('Invalid Access Token');
    throw error;
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(API_SIGN_IN_SCOPE)) throw new NotAuthorizedException('Access Token does not have required scopes');
  const sessionId = typeof claims.origin_jti === 'string' ? claims.origin_jti : '';
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';

  return services.vault.read(poolId, async (records) => {
    const user = await requireTokenUser(records, await userOfSubject(records, String(claims.sub)), sessionId);
    return { pool: await loadPool(records), user, sessionId, clientId };
  });
}

/**
 * The checks on the user behind a verified access token. Token-authorized writes run them again
 * inside their transaction, so a sign-out, disable, reset or delete that commits in between wins.
 */
export async function requireTokenUser(records: EncryptedRecords, user: UserRecord | null, sessionId: string): Promise<UserRecord> {
  if (!user) throw new NotAuthorizedException('User does not exist.');
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  // AdminResetUserPassword: the old password may be known to someone else, so its sessions may
  // not act (not even ChangePassword with that password) until ConfirmForgotPassword. Every
  // token-authorized action declares this error in the service model.
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
  if (!(await isSessionActive(records, user.id, sessionId))) throw new NotAuthorizedException('Access Token has been revoked');
  return user;
}

async function userOfSubject(records: EncryptedRecords, sub: string): Promise<UserRecord | null> {
  return (await records.find<UserRecord>(USER_RECORD_KIND, USER_LOOKUPS.sub, sub))?.value ?? null;
}

/** The pool named by the token's issuer (`<base>/<poolId>`), read before the signature is checked only to pick the keys. */
export function poolIdOf(token: string): string {
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw new NotAuthorizedException('Invalid Access Token');
  }
  const poolId = typeof issuer === 'string' ? issuer.slice(issuer.lastIndexOf('/') + 1) : '';
  if (!USER_POOL_ID_PATTERN.test(poolId)) throw new NotAuthorizedException('Invalid Access Token');
  return poolId;
}
