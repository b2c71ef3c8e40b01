import { checkSecretHash, openClient } from '../auth/client-access.ts';
import { deliveryDetails, sendCode, signUpDelivery, type CodeDelivery, type CodeDeliveryDetails } from '../codes/code-delivery.ts';
import { simulatedDelivery } from '../codes/simulated-delivery.ts';
import { userDisabled, userNotFoundForClient } from '../codes/user-existence.ts';
import { codeError, destinationFingerprint, discardCode, EXPIRED_CODE_MESSAGE, generateCode, redeemCode, storeCode, type CodeVerdict } from '../codes/verification-codes.ts';
import { ExpiredCodeException, InvalidParameterException, NotAuthorizedException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { findUser, requireUser, saveUser } from '../users/user-directory.ts';
import { releaseAliases } from '../users/user-identity.ts';
import type { UserRecord } from '../users/user-record.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';

function cannotConfirm(user: UserRecord): Error {
  return new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);
}

/**
 * ConfirmSignUp: the code sent at sign-up turns an UNCONFIRMED user CONFIRMED and marks the
 * attribute it went to verified (if it still holds the same address). With
 * PreventUserExistenceErrors ENABLED an unknown or disabled user gets ExpiredCodeException
 * ("ConfirmSignUp returns ExpiredCodeException if a user doesn't exist or is disabled").
 * A wrong code's attempt is saved before the error leaves.
 */
export async function confirmSignUp(
  services: UserPoolServices,
  input: { clientId: string; secretHash?: string; username: string; code: string; forceAliasCreation: boolean },
): Promise<void> {
  const { pool, client } = await openClient(services, input.clientId);
  checkSecretHash(client, input.username, input.secretHash);
  const prevent = client.settings.PreventUserExistenceErrors === 'ENABLED';
  const now = services.now();
  const verdict = await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records): Promise<CodeVerdict> => {
      const current = await loadPool(records);
      const user = await findUser(records, current, input.username);
      if (!user || !user.enabled) {
        if (prevent) throw new ExpiredCodeException(EXPIRED_CODE_MESSAGE);
        throw user ? userDisabled() : userNotFoundForClient();
      }
      if (user.status !== 'UNCONFIRMED') throw cannotConfirm(user);
      const verdict = await redeemCode(records, { userId: user.id, purpose: 'sign-up', code: input.code, now });
      if (verdict.outcome !== 'accepted') return verdict;
      const attributes = { ...user.attributes };
      const address = verdict.attribute ? attributes[verdict.attribute] : undefined;
      if (verdict.attribute && address && (!verdict.destinationDigest || destinationFingerprint(records, address) === verdict.destinationDigest)) {
        attributes[`${verdict.attribute}_verified`] = 'true';
      }
      const confirmed: UserRecord = { ...user, attributes, status: 'CONFIRMED', modifiedAt: now };
      // A verified alias another user holds is AliasExistsException (from saveUser) unless moved.
      if (input.forceAliasCreation) await releaseAliases(records, current, confirmed, now);
      await saveUser(records, current, confirmed);
      return verdict;
    }),
  );
  if (verdict.outcome !== 'accepted') throw codeError(verdict);
}

/**
 * ResendConfirmationCode: a new sign-up code (the previous one stops working) to the same
 * auto-verified attribute. ENABLED clients get a simulated CodeDeliveryDetails for unknown or
 * disabled users.
 */
export async function resendConfirmationCode(
  services: UserPoolServices,
  input: { clientId: string; secretHash?: string; username: string },
): Promise<{ CodeDeliveryDetails: CodeDeliveryDetails }> {
  const { pool, client } = await openClient(services, input.clientId);
  checkSecretHash(client, input.username, input.secretHash);
  const prevent = client.settings.PreventUserExistenceErrors === 'ENABLED';
  const code = generateCode();
  const now = services.now();
  const outcome = await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records): Promise<{ simulated: CodeDeliveryDetails } | { pool: UserPoolRecord; user: UserRecord; delivery: CodeDelivery }> => {
      const current = await loadPool(records);
      const user = await findUser(records, current, input.username);
      if (!user || !user.enabled) {
        if (prevent) return { simulated: simulatedDelivery(records, current, input.username, 'sign-up') };
        throw user ? userDisabled() : userNotFoundForClient();
      }
      if (user.status !== 'UNCONFIRMED') throw new InvalidParameterException('User is already confirmed.');
      const delivery = signUpDelivery(current, user);
      if (!delivery) throw new InvalidParameterException('Cannot resend codes. Auto verification not turned on.');
      await storeCode(records, { userId: user.id, purpose: 'sign-up', code, now, attribute: delivery.attribute, destination: delivery.destination, limited: true });
      return { pool: current, user, delivery };
    }),
  );
  if ('simulated' in outcome) return { CodeDeliveryDetails: outcome.simulated };
  await sendCode(services, outcome.pool, outcome.user, outcome.delivery, code, 'sign-up');
  return { CodeDeliveryDetails: deliveryDetails(outcome.delivery) };
}

/**
 * AdminConfirmSignUp: confirms an UNCONFIRMED user without a code (no attribute becomes
 * verified); any outstanding sign-up code is dropped.
 */
export async function adminConfirmSignUp(services: UserPoolServices, poolId: string, username: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records: EncryptedRecords) => {
      const pool = await loadPool(records);
      const user = await requireUser(records, pool, username);
      if (user.status !== 'UNCONFIRMED') throw cannotConfirm(user);
      await saveUser(records, pool, { ...user, status: 'CONFIRMED', modifiedAt: services.now() });
      await discardCode(records, user.id, 'sign-up');
    }),
  );
}
