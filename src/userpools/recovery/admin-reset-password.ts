import { signOutEverywhere } from '../../auth/sessions/revocation.ts';
import { recoveryMechanisms, requireRecoveryDelivery, sendCode } from '../codes/code-delivery.ts';
import { generateCode, storeCode } from '../codes/verification-codes.ts';
import { InvalidParameterException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolServices } from '../services.ts';
import { requireUser, saveUser } from '../users/user-directory.ts';

/**
 * AdminResetUserPassword: the user goes to RESET_REQUIRED, so sign-in with the old password answers
 * PasswordResetRequiredException (the hash is kept only for that answer), and a reset code goes to
 * its first verified address in the recovery order; the user finishes with ConfirmForgotPassword.
 * Cognito requires self-service recovery and refuses a user with no verified email or phone.
 */
export async function adminResetUserPassword(services: UserPoolServices, poolId: string, username: string): Promise<void> {
  const code = generateCode();
  const now = services.now();
  const outcome = await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      if (!recoveryMechanisms(pool).some((name) => name !== 'admin_only')) {
        throw new InvalidParameterException('AdminResetUserPassword requires self-service account recovery, but AccountRecoverySetting is admin_only.');
      }
      const user = await requireUser(records, pool, username);
      const delivery = requireRecoveryDelivery(pool, user);
      const reset = { ...user, status: 'RESET_REQUIRED' as const, modifiedAt: now };
      await saveUser(records, pool, reset);
      // The password is presumed compromised: its sessions end now, not at ConfirmForgotPassword.
      await signOutEverywhere(records, user.id, now);
      await storeCode(records, { userId: user.id, purpose: 'forgot-password', code, now, attribute: delivery.attribute, destination: delivery.destination, limited: false });
      return { pool, user: reset, delivery };
    }),
  );
  await sendCode(services, outcome.pool, outcome.user, outcome.delivery, code, 'forgot-password');
}
