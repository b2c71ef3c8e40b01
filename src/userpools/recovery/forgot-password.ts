import { signOutEverywhere } from '../../auth/sessions/revocation.ts';
import { checkSecretHash, openClient } from '../auth/client-access.ts';
import { clearFailedAttempts } from '../auth/sign-in.ts';
import {
  deliveryDetails,
  NO_VERIFIED_CONTACT_MESSAGE,
  recoveryDelivery,
  requireSelfServiceRecovery,
  sendCode,
  type CodeDelivery,
  type CodeDeliveryDetails,
} from '../codes/code-delivery.ts';
import { simulatedDelivery } from '../codes/simulated-delivery.ts';
import { userDisabled, userNotFoundForClient } from '../codes/user-existence.ts';
import { CODE_MISMATCH_MESSAGE, codeError, generateCode, peekCode, redeemCode, storeCode, type CodeVerdict } from '../codes/verification-codes.ts';
import { CodeMismatchException, InvalidParameterException, NotAuthorizedException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { enforcePasswordPolicy } from '../users/password-policy.ts';
import { storePassword } from '../users/password-storage.ts';
import { findUser, saveUser } from '../users/user-directory.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';

/**
 * ForgotPassword: a reset code to the user's first verified address in the pool's recovery order
 * (AccountRecoverySetting). With PreventUserExistenceErrors ENABLED, a user that does not exist,
 * is disabled or has no verified address gets a simulated CodeDeliveryDetails and no message;
 * with LEGACY, UserNotFoundException, NotAuthorizedException or InvalidParameterException.
 */
export async function forgotPassword(
  services: UserPoolServices,
  input: { clientId: string; secretHash?: string; username: string },
): Promise<{ CodeDeliveryDetails: CodeDeliveryDetails }> {
  const { pool, client } = await openClient(services, input.clientId);
  checkSecretHash(client, input.username, input.secretHash);
  requireSelfServiceRecovery(pool);
  const prevent = client.settings.PreventUserExistenceErrors === 'ENABLED';
  const code = generateCode();
  const now = services.now();
  const outcome = await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records): Promise<{ simulated: CodeDeliveryDetails } | { pool: UserPoolRecord; user: UserRecord; delivery: CodeDelivery }> => {
      const current = await loadPool(records);
      const user = await findUser(records, current, input.username);
      const simulated = () => ({ simulated: simulatedDelivery(records, current, input.username, 'forgot-password') });
      if (!user || !user.enabled) {
        if (prevent) return simulated();
        throw user ? userDisabled() : userNotFoundForClient();
      }
      // A user who never chose a password resets it with its temporary one, not by code.
      if (user.status === 'FORCE_CHANGE_PASSWORD') throw new NotAuthorizedException('User password cannot be reset in the current state.');
      const delivery = recoveryDelivery(current, user);
      if (!delivery) {
        if (prevent) return simulated();
        throw new InvalidParameterException(NO_VERIFIED_CONTACT_MESSAGE);
      }
      await storeCode(records, { userId: user.id, purpose: 'forgot-password', code, now, attribute: delivery.attribute, destination: delivery.destination, limited: true });
      return { pool: current, user, delivery };
    }),
  );
  if ('simulated' in outcome) return { CodeDeliveryDetails: outcome.simulated };
  await sendCode(services, outcome.pool, outcome.user, outcome.delivery, code, 'forgot-password');
  return { CodeDeliveryDetails: deliveryDetails(outcome.delivery) };
}

/**
 * ConfirmForgotPassword: a valid reset code sets a new permanent password, confirms the user and
 * ends all its sessions (the sign-out watermark, in the same transaction). The password policy is
 * checked first, so a weak password costs no attempt; the code is judged before the slow hash,
 * so wrong codes cost no Argon2 work. With ENABLED, unknown or disabled users get
 * CodeMismatchException ("for users that don't exist or are disabled").
 */
export async function confirmForgotPassword(
  services: UserPoolServices,
  input: { clientId: string; secretHash?: string; username: string; code: string; password: string },
): Promise<void> {
  const { pool, client } = await openClient(services, input.clientId);
  checkSecretHash(client, input.username, input.secretHash);
  const policy = passwordPolicyOf(pool.settings);
  enforcePasswordPolicy(input.password, policy);
  const prevent = client.settings.PreventUserExistenceErrors === 'ENABLED';
  const attempt = { purpose: 'forgot-password' as const, code: input.code, now: services.now() };

  const look = await withPool(pool.id, () =>
    services.vault.read(pool.id, async (records) => {
      const user = await findUser(records, await loadPool(records), input.username);
      if (!user || !user.enabled) return { user, verdict: null };
      return { user, verdict: await peekCode(records, { ...attempt, userId: user.id }) };
    }),
  );
  const user = look.user;
  if (!user || !user.enabled || !look.verdict) {
    if (prevent) throw new CodeMismatchException(CODE_MISMATCH_MESSAGE);
    throw user ? userDisabled() : userNotFoundForClient();
  }
  if (look.verdict.outcome !== 'accepted') {
    // Count the wrong attempt (committed), then answer; never consumes a code.
    const counted = await withPool(pool.id, () =>
      services.vault.write(pool.id, (records) => redeemCode(records, { ...attempt, userId: user.id }, { consume: false })),
    );
    throw codeError(counted.outcome === 'accepted' ? look.verdict : counted);
  }

  const password = await storePassword(pool.id, user.username, input.password, { temporary: false, validityDays: policy.TemporaryPasswordValidityDays, now: attempt.now });
  const verdict = await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records): Promise<CodeVerdict> => {
      const current = await loadPool(records);
      const latest = await records.get<UserRecord>(USER_RECORD_KIND, user.id);
      // The SRP verifier is bound to the username read above; a user replaced meanwhile fails.
      if (!latest || !latest.enabled || latest.username !== user.username) return { outcome: 'mismatch' };
      const verdict = await redeemCode(records, { ...attempt, userId: user.id });
      if (verdict.outcome !== 'accepted') return verdict;
      await saveUser(records, current, { ...latest, password, status: 'CONFIRMED', modifiedAt: attempt.now });
      await signOutEverywhere(records, user.id, attempt.now);
      return verdict;
    }),
  );
  if (verdict.outcome !== 'accepted') throw codeError(verdict);
  // Guesses made against the old password no longer lock out the new one.
  await clearFailedAttempts(services, pool.id, user);
}
