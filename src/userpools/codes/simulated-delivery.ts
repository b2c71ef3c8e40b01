import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { maskDestination, recoveryMechanisms, type CodeDeliveryDetails } from './code-delivery.ts';

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;
const PHONE_LIKE = /^\+\d{5,15}$/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A plausible CodeDeliveryDetails for a user that does not exist (or cannot receive a code), for
 * clients with PreventUserExistenceErrors ENABLED: "Amazon Cognito returns CodeDeliveryDetails with
 * a simulated delivery medium ... determined by the input username format and verification
 * settings of the user pool" (developer guide, "Managing user existence error responses").
 * Deterministic per pool and username (keyed fingerprint), so asking twice gives the same answer,
 * as it would for a real user.
 */
export function simulatedDelivery(records: EncryptedRecords, pool: UserPoolRecord, username: string, purpose: 'sign-up' | 'forgot-password'): CodeDeliveryDetails {
  if (EMAIL_LIKE.test(username)) return { Destination: maskDestination('EMAIL', username), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  if (PHONE_LIKE.test(username)) return { Destination: maskDestination('SMS', username), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  const fingerprint = records.fingerprint('simulated-delivery', username.toLowerCase());
  const byte = (index: number) => parseInt(fingerprint.slice(index * 2, index * 2 + 2), 16);
  if (preferredAttribute(pool, purpose) === 'phone_number') {
    const digits = Array.from({ length: 4 }, (_, index) => String(byte(index) % 10)).join('');
    return { Destination: `+*******${digits}`, DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  }
  return { Destination: `${LETTERS[byte(0) % 26]}***@${LETTERS[byte(1) % 26]}***`, DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}

/** The attribute a real user of this pool would most likely get the code at. */
function preferredAttribute(pool: UserPoolRecord, purpose: 'sign-up' | 'forgot-password'): 'email' | 'phone_number' {
  const autoVerified = pool.settings.AutoVerifiedAttributes ?? [];
  const order: Array<'email' | 'phone_number'> =
    purpose === 'sign-up'
      ? (['phone_number', 'email'] as const).filter((attribute) => autoVerified.includes(attribute))
      : recoveryMechanisms(pool).flatMap((name) => (name === 'verified_email' ? ['email' as const] : name === 'verified_phone_number' ? ['phone_number' as const] : []));
  const required = pool.schema.filter((attribute) => attribute.Required).map((attribute) => attribute.Name);
  const used = new Set<string>([...autoVerified, ...pool.usernameAttributes, ...pool.aliasAttributes, ...required]);
  // Nothing says which: most pools reach their users by email.
  return order.find((attribute) => used.has(attribute)) ?? (order.includes('email') || order.length === 0 ? 'email' : 'phone_number');
}
