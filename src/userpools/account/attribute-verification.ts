import type { AuthenticatedUser } from '../auth/access-token.ts';
import { deliveryDetails, sendCode, type CodeDelivery, type CodeDeliveryDetails } from '../codes/code-delivery.ts';
import { codeError, destinationFingerprint, generateCode, redeemCode, storeCode, type CodePurpose, type VerifiedAttribute } from '../codes/verification-codes.ts';
import { InvalidParameterException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { saveUser } from '../users/user-directory.ts';
import type { UserRecord } from '../users/user-record.ts';
import { withSignedInUser } from './signed-in-user.ts';

/**
 * Verifying the signed-in user's email or phone_number with a code: GetUserAttributeVerificationCode
 * sends one, VerifyUserAttribute redeems it (the attribute's `_verified` flag becomes true), and
 * UpdateUserAttributes sends one by itself when it changes an attribute the pool auto-verifies, as
 * Cognito does. One outstanding code per user and attribute; the code is bound to the address it
 * went to, so a code sent before the address changed again verifies nothing.
 */
const PURPOSE: Record<VerifiedAttribute, CodePurpose> = { email: 'verify-email', phone_number: 'verify-phone_number' };
const MEDIUM: Record<VerifiedAttribute, 'EMAIL' | 'SMS'> = { email: 'EMAIL', phone_number: 'SMS' };

/** The attribute names a code can verify; anything else is Cognito's InvalidParameterException. */
export function verifiableAttribute(name: string): VerifiedAttribute {
  if (name === 'email' || name === 'phone_number') return name;
  throw new InvalidParameterException(`Invalid attribute name: ${name} cannot be verified.`);
}

/**
 * Sends a code for `attribute` to the user's current address. `limited`: the hourly code limit of
 * public actions applies (GetUserAttributeVerificationCode); a code sent because the user just
 * changed the address (UpdateUserAttributes) is not refused for it.
 */
export async function sendAttributeCode(services: UserPoolServices, auth: AuthenticatedUser, attribute: VerifiedAttribute, options: { limited: boolean }): Promise<CodeDeliveryDetails> {
  const code = generateCode();
  const now = services.now();
  const { pool, user, delivery } = await withSignedInUser(services, auth, async (current, latestPool, records) => {
    const destination = current.attributes[attribute];
    if (!destination) throw new InvalidParameterException(`The user has no ${attribute} to verify.`);
    const delivery: CodeDelivery = { attribute, medium: MEDIUM[attribute], destination };
    await storeCode(records, { userId: current.id, purpose: PURPOSE[attribute], code, now, attribute, destination, limited: options.limited });
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
 * The attributes UpdateUserAttributes sends codes for: email and phone_number that it changed to
 * a new, unverified value in a pool that auto-verifies them.
 */
export function attributesToVerifyAfterUpdate(pool: UserPoolRecord, before: UserRecord, after: UserRecord): VerifiedAttribute[] {
  const autoVerified = pool.settings.AutoVerifiedAttributes ?? [];
  return (['email', 'phone_number'] as const).filter(
    (name) => autoVerified.includes(name) && after.attributes[name] && after.attributes[name] !== before.attributes[name] && after.attributes[`${name}_verified`] !== 'true',
  );
}

function markVerified(user: UserRecord, attribute: VerifiedAttribute, now: number): UserRecord {
  return { ...user, attributes: { ...user.attributes, [`${attribute}_verified`]: 'true' }, modifiedAt: now };
}
