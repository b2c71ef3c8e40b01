import { dummyPasswordCheck, verifyPassword } from '../../auth/passwords/password-hash.ts';
import { isLockedOut, type LockoutState } from '../../auth/lockout/lockout-policy.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { NotAuthorizedException, PasswordResetRequiredException, UserNotConfirmedException, UserNotFoundException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { mustChooseNewPassword, type UserRecord } from '../users/user-record.ts';
import { passwordStamp, sealChallenge } from './challenge-session.ts';
import { grantTokens, type AuthenticationResult, type GrantInput } from './token-grant.ts';

/** What InitiateAuth and RespondToAuthChallenge answer: tokens, or the next challenge. */
export interface AuthResponse {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

export const INCORRECT_CREDENTIALS = 'Incorrect username or password.';

/**
 * The answer for a user that does not exist: with PreventUserExistenceErrors ENABLED the same
 * error as a wrong password (and, by the callers, the same Argon2 cost), else Cognito's
 * UserNotFoundException.
 */
export function unknownUserError(client: AppClientRecord): Error {
  return client.settings.PreventUserExistenceErrors === 'ENABLED'
    ? new NotAuthorizedException(INCORRECT_CREDENTIALS)
    : new UserNotFoundException('User does not exist.');
}

/**
 * Refuses a locked-out user before any password check (so a locked account leaks no timing);
 * returns the lockout state read, for clearFailedAttempts after a success.
 */
export async function guardLockout(services: UserPoolServices, poolId: string, user: UserRecord): Promise<LockoutState> {
  const state = await services.lockouts.get(poolId, user.id);
  if (isLockedOut(state, services.now())) throw new NotAuthorizedException('Password attempts exceeded');
  return state;
}

export async function noteFailedAttempt(services: UserPoolServices, poolId: string, user: UserRecord): Promise<void> {
  await services.lockouts.noteFailure(poolId, user.id, services.now());
}

export async function clearFailedAttempts(services: UserPoolServices, poolId: string, user: UserRecord, known?: LockoutState): Promise<void> {
  await services.lockouts.clear(poolId, user.id, known);
}

/**
 * Checks a password for a user found (or not) by `Username`: unknown users cost one dummy Argon2
 * verification, wrong passwords count toward lockout, the right one clears the count.
 */
export async function checkUserPassword(
  services: UserPoolServices,
  pool: UserPoolRecord,
  client: AppClientRecord,
  user: UserRecord | null,
  password: string,
): Promise<UserRecord> {
  if (!user) {
    await dummyPasswordCheck(password);
    throw unknownUserError(client);
  }
  const lockout = await guardLockout(services, pool.id, user);
  const valid = user.password ? await verifyPassword(user.password.hash, password) : (await dummyPasswordCheck(password), false);
  if (!valid) {
    await noteFailedAttempt(services, pool.id, user);
    throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
  }
  await clearFailedAttempts(services, pool.id, user, lockout);
  return user;
}

/**
 * After the password (or SRP proof) is right: Cognito's order of user-state checks, then either
 * the NEW_PASSWORD_REQUIRED challenge or tokens.
 */
export async function completeSignIn(
  services: UserPoolServices,
  records: EncryptedRecords,
  client: AppClientRecord,
  user: UserRecord,
  /** The pool record the caller read for this request (its issuer signs the tokens). */
  pool: UserPoolRecord,
): Promise<AuthResponse> {
  return signInChallenge(services, records, client, user) ?? tokenAnswer(services, records, { client, user, pool });
}

/** The answer of a sign-in that passed every check (signInChallenge gave null): tokens. */
export async function tokenAnswer(services: UserPoolServices, records: EncryptedRecords, grant: GrantInput): Promise<AuthResponse> {
  return { AuthenticationResult: await grantTokens(services, records, grant), ChallengeParameters: {} };
}

/**
 * What stands between a user whose password checked out and their tokens: an error (disabled,
 * unconfirmed, reset required, temporary password expired), the NEW_PASSWORD_REQUIRED challenge,
 * or nothing (null). The hosted login page asks this alone and grants its own way (OAuth).
 */
export function signInChallenge(services: UserPoolServices, records: EncryptedRecords, client: AppClientRecord, user: UserRecord): AuthResponse | null {
  const now = services.now();
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
  if (!mustChooseNewPassword(user)) return null;
  if (user.password?.expiresAt !== undefined && user.password.expiresAt <= now) {
    throw new NotAuthorizedException('Temporary password has expired and must be reset by an administrator.');
  }
  const { sub: _sub, ...attributes } = { sub: user.sub, ...user.attributes };
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(attributes) },
    Session: sealChallenge(records, {
      challenge: 'NEW_PASSWORD_REQUIRED',
      clientId: client.id,
      userId: user.id,
      expiresAt: now + client.settings.AuthSessionValidity * 60_000,
      passwordStamp: passwordStamp(user.password),
    }),
  };
}
