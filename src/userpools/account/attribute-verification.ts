import type { AuthenticatedUser } from '../auth/access-token.ts';
import { deliveryDetails, deliveryTo, sendCode, type CodeDeliveryDetails } from '../codes/code-delivery.ts';
import { codeError, destinationFingerprint, generateCode, redeemCode, storeCode, type CodePurpose, type VerifiedAttribute } from '../codes/verification-codes.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { CodeDeliveryFailureException, InvalidParameterException, LimitExceededException, UserNotFoundException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { saveUser } from '../users/user-directory.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { withSignedInUser } from './signed-in-user.ts';

/**
 * Verifying the signed-in user's email or phone_number with a code: GetUserAttributeVerificationCode
 * sends one, VerifyUserAttribute redeems it (the attribute's `_verified` flag becomes true), and
 * UpdateUserAttributes and AdminUpdateUserAttributes send one by themselves when they change an
 * attribute the pool auto-verifies to an unverified value, as Cognito does. One outstanding code per user and attribute; the code is bound to the address it
 * went to, so a code sent before the address changed again verifies nothing.
 */
const PURPOSE: Record<VerifiedAttribute, CodePurpose> = { email: 'verify-email', phone_number: 'verify-phone_number' };

/** The attribute names a code can verify; anything else is Cognito's InvalidParameterException. */
export function verifiableAttribute(name: string): VerifiedAttribute {
  if (name === 'email' || name === 'phone_number') return name;
  throw new InvalidParameterException(`Invalid attribute name: ${name} cannot be verified.`);
}

/** Runs `work` in a write transaction of the user's pool with the user as it is now. */
type UserTransaction = <T>(work: (user: UserRecord, pool: UserPoolRecord, records: EncryptedRecords) => Promise<T>) => Promise<T>;

/**
 * Sends the signed-in user a code for `attribute` at their current address. `limited`: the hourly
 * code limit of public actions applies (LimitExceededException over it).
 */
export function sendAttributeCode(services: UserPoolServices, auth: AuthenticatedUser, attribute: VerifiedAttribute, options: { limited: boolean }): Promise<CodeDeliveryDetails> {
  return sendCodeInTransaction(services, (work) => withSignedInUser(services, auth, work), attribute, options.limited);
}

/** The same for a change an administrator made (AdminUpdateUserAttributes): the user by id, no hourly limit. */
export function sendAttributeCodeForAdminChange(services: UserPoolServices, poolId: string, userId: string, attribute: VerifiedAttribute): Promise<CodeDeliveryDetails> {
  const transaction: UserTransaction = (work) =>
    withPool(poolId, () =>
      services.vault.write(poolId, async (records) => {
        const user = await records.get<UserRecord>(USER_RECORD_KIND, userId);
        if (!user) throw new UserNotFoundException('User does not exist.');
        return work(user, await loadPool(records), records);
      }),
    );
  return sendCodeInTransaction(services, transaction, attribute, false);
}

/** Stores the code in `transaction`, then sends it once that has committed. */
async function sendCodeInTransaction(services: UserPoolServices, transaction: UserTransaction, attribute: VerifiedAttribute, limited: boolean): Promise<CodeDeliveryDetails> {
  const code = generateCode();
  const now = services.now();
  const { pool, user, delivery } = await transaction(async (current, latestPool, records) => {
    const destination = current.attributes[attribute];
    if (!destination) throw new InvalidParameterException(`The user has no ${attribute} to verify.`);
    const delivery = deliveryTo(attribute, destination);
    await storeCode(records, { userId: current.id, purpose: PURPOSE[attribute], code, now, attribute, destination, limited });
    return { pool: latestPool, user: current, delivery };
  });
  await sendCode(services, pool, user, delivery, code, PURPOSE[attribute]);
  return deliveryDetails(delivery);
}

/**
 * Redeems a code for `attribute`: the flag becomes true when the code is right and the address is
 * still the one it was sent to. A wrong code counts an attempt (committed before the error).
 */
export async function verifyAttribute(services: UserPoolServices, auth: AuthenticatedUser, attribute: VerifiedAttribute, code: string): Promise<void> {
  const now = services.now();
  const verdict = await withSignedInUser(services, auth, async (user, pool, records) => {
    const verdict = await redeemCode(records, { userId: user.id, purpose: PURPOSE[attribute], code, now });
    if (verdict.outcome !== 'accepted') return verdict;
    const value = user.attributes[attribute];
    // Sent to an address the user has changed since: it proves nothing about the current one.
    if (!value || verdict.destinationDigest !== destinationFingerprint(records, value)) return { outcome: 'expired' as const };
    await saveUser(records, pool, markVerified(user, attribute, now));
    return verdict;
  });
  if (verdict.outcome !== 'accepted') throw codeError(verdict);
}

/**
 * After (Admin)UpdateUserAttributes committed `after`: sends, through `send`, a code for each
 * email or phone_number the change set to a new, unverified value in a pool that auto-verifies
 * it, and returns the deliveries. A code over the hourly limit, or one that could not be
 * delivered, is left out rather than failing a call whose change is made. (The limit applies to
 * the user's own changes too: switching an address back and forth would otherwise send a
 * victim's address unlimited codes, each with fresh guesses.)
 */
export async function sendCodesAfterUpdate(
  pool: UserPoolRecord,
  before: UserRecord,
  after: UserRecord,
  send: (attribute: VerifiedAttribute) => Promise<CodeDeliveryDetails>,
): Promise<CodeDeliveryDetails[]> {
  const autoVerified = pool.settings.AutoVerifiedAttributes ?? [];
  const changed = (['email', 'phone_number'] as const).filter(
    (name) => autoVerified.includes(name) && after.attributes[name] && after.attributes[name] !== before.attributes[name] && after.attributes[`${name}_verified`] !== 'true',
  );
  const sent: CodeDeliveryDetails[] = [];
  for (const attribute of changed) {
    try {
      sent.push(await send(attribute));
    } catch (error) {
      if (!(error instanceof LimitExceededException || error instanceof CodeDeliveryFailureException)) throw error;
    }
  }
  return sent;
}

function markVerified(user: UserRecord, attribute: VerifiedAttribute, now: number): UserRecord {
  return { ...user, attributes: { ...user.attributes, [`${attribute}_verified`]: 'true' }, modifiedAt: now };
}
