import { verifyPassword } from '../../auth/passwords/password-hash.ts';
import { isLockedOut } from '../../auth/lockout/lockout-policy.ts';
import { signOutEverywhere } from '../../auth/sessions/revocation.ts';
import type { AuthenticatedUser } from '../auth/access-token.ts';
import { clearFailedAttempts, INCORRECT_CREDENTIALS, noteFailedAttempt } from '../auth/sign-in.ts';
import { InvalidParameterException, LimitExceededException, NotAuthorizedException } from '../errors.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolServices } from '../services.ts';
import { enforcePasswordPolicy } from '../users/password-policy.ts';
import { storePassword } from '../users/password-storage.ts';
import { changeSignedInUser } from './signed-in-user.ts';

/** Cognito's answer to ChangePassword while the user is locked out by failed attempts. */
const ATTEMPT_LIMIT_EXCEEDED = 'Attempt limit exceeded, please try after some time.';

/**
 * ChangePassword (Cognito API reference): the signed-in user proves the previous password and sets
 * a new one that meets the pool's policy.
 *
 * Sessions: Cognito leaves every existing token valid after ChangePassword. Meridian ends every
 * OTHER session of the user at once (their refresh tokens and access tokens stop working), in the
 * same transaction as the change, and keeps the session that made the call. A password is
 * usually changed because it may be known to someone else, so sessions begun with it elsewhere
 * must end; the calling session has just proven the previous password, and ending it would sign
 * the user out of the app that changed the password, which no Cognito client expects after a
 * successful ChangePassword (Cognito keeps that session too).
 *
 * A wrong previous password counts toward the sign-in lockout (sign-in.ts), since this is
 * another way to guess it; while locked out the answer is Cognito's LimitExceededException.
 */
export async function changePassword(services: UserPoolServices, auth: AuthenticatedUser, input: { previousPassword?: string; proposedPassword: string }): Promise<void> {
  const { pool, user } = auth;
  const policy = passwordPolicyOf(pool.settings);
  // Checked first: a request that must fail anyway costs no Argon2 work and no attempt.
  enforcePasswordPolicy(input.proposedPassword, policy);
  if (isLockedOut(await services.lockouts.get(pool.id, user.id), services.now())) throw new LimitExceededException(ATTEMPT_LIMIT_EXCEEDED);
  const provenHash = user.password?.hash;
  if (provenHash !== undefined) {
    // "Required if the user has a password" (ChangePassword API reference, PreviousPassword).
    if (input.previousPassword === undefined) throw new InvalidParameterException('PreviousPassword is required when the user has a password.');
    if (!(await verifyPassword(provenHash, input.previousPassword))) {
      await noteFailedAttempt(services, pool.id, user);
      throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
    }
    await clearFailedAttempts(services, pool.id, user);
  }
  // Argon2id is slow by design: hash before the transaction opens.
  const stored = await storePassword(pool.id, user.username, input.proposedPassword, { temporary: false, validityDays: policy.TemporaryPasswordValidityDays, now: services.now() });
  await changeSignedInUser(services, auth, async (current, _pool, records) => {
    // The proof holds only for the password it was checked against; a concurrent change wins.
    if (current.password?.hash !== provenHash) throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
    await signOutEverywhere(records, current.id, services.now(), { keep: auth.sessionId });
    return { ...current, password: stored };
  });
}
