import { CodeDeliveryFailureException, InvalidParameterException, NotAuthorizedException } from '../errors.ts';
import { MessageDeliveryFailed } from '../messages/message-sender.ts';
import { verificationMessage } from '../messages/templates.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import type { UserRecord } from '../users/user-record.ts';
import type { CodePurpose, VerifiedAttribute } from './verification-codes.ts';

/** Where a code goes: the attribute, its medium and its (plaintext) value. */
export interface CodeDelivery {
  attribute: VerifiedAttribute;
  medium: 'EMAIL' | 'SMS';
  destination: string;
}

/** Cognito's CodeDeliveryDetailsType. */
export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: 'EMAIL' | 'SMS';
  AttributeName: VerifiedAttribute;
}

export const NO_VERIFIED_CONTACT_MESSAGE = 'Cannot reset password for the user as there is no registered/verified email or phone_number';

const MEDIUM: Record<VerifiedAttribute, 'EMAIL' | 'SMS'> = { email: 'EMAIL', phone_number: 'SMS' };

/** A code for `attribute`, sent to `destination` by the attribute's medium (email, SMS). */
export function deliveryTo(attribute: VerifiedAttribute, destination: string): CodeDelivery {
  return { attribute, medium: MEDIUM[attribute], destination };
}

/**
 * Where a sign-up confirmation code goes: an attribute in AutoVerifiedAttributes that the user
 * has. Cognito verifies the phone number when both are auto-verified ("If both email and phone
 * are set, Cognito only verifies the phone number"), so phone_number comes first. Null when there
 * is none: the user then stays UNCONFIRMED until an administrator confirms it.
 */
export function signUpDelivery(pool: UserPoolRecord, user: UserRecord): CodeDelivery | null {
  const autoVerified = pool.settings.AutoVerifiedAttributes ?? [];
  for (const attribute of ['phone_number', 'email'] as const) {
    const value = user.attributes[attribute];
    if (autoVerified.includes(attribute) && value) return deliveryTo(attribute, value);
  }
  return null;
}

/**
 * Account recovery order (AccountRecoverySetting, by Priority). Without the setting Cognito keeps
 * its legacy order: "If a verified phone number exists for the user, the confirmation code is
 * sent to the phone number. Otherwise, if a verified email exists, [to] the email."
 */
export function recoveryMechanisms(pool: UserPoolRecord): Array<'verified_email' | 'verified_phone_number' | 'admin_only'> {
  const configured = pool.settings.AccountRecoverySetting?.RecoveryMechanisms;
  if (!configured?.length) return ['verified_phone_number', 'verified_email'];
  return [...configured].sort((a, b) => a.Priority - b.Priority).map((mechanism) => mechanism.Name);
}

/** "admin_only" alone means users cannot reset their own password (Cognito's message). */
export function requireSelfServiceRecovery(pool: UserPoolRecord): void {
  if (!recoveryMechanisms(pool).some((name) => name !== 'admin_only')) throw new NotAuthorizedException('Contact administrator to reset password.');
}

/** Where a password-reset code goes: the first recovery mechanism the user has a verified address for. */
export function recoveryDelivery(pool: UserPoolRecord, user: UserRecord): CodeDelivery | null {
  for (const mechanism of recoveryMechanisms(pool)) {
    if (mechanism === 'admin_only') continue;
    const attribute: VerifiedAttribute = mechanism === 'verified_email' ? 'email' : 'phone_number';
    const value = user.attributes[attribute];
    if (value && user.attributes[`${attribute}_verified`] === 'true') return deliveryTo(attribute, value);
  }
  return null;
}

export function requireRecoveryDelivery(pool: UserPoolRecord, user: UserRecord): CodeDelivery {
  const delivery = recoveryDelivery(pool, user);
  if (!delivery) throw new InvalidParameterException(NO_VERIFIED_CONTACT_MESSAGE);
  return delivery;
}

/**
 * Masks an address as Cognito shows it in CodeDeliveryDetails: `a***@e***` for
 * alice@example.com, `+*******1234` for a phone number (all but the last four digits hidden).
 */
export function maskDestination(medium: 'EMAIL' | 'SMS', value: string): string {
  if (medium === 'EMAIL') {
    const at = value.lastIndexOf('@');
    const local = at > 0 ? value.slice(0, at) : value;
    const domain = at > 0 ? value.slice(at + 1) : '';
    return `${[...local][0] ?? ''}***@${[...domain][0] ?? ''}***`;
  }
  const digits = value.replace(/^\+/, '');
  const shown = digits.slice(-4);
  return `+${'*'.repeat(Math.max(digits.length - shown.length, 0))}${shown}`;
}

export function deliveryDetails(delivery: CodeDelivery): CodeDeliveryDetails {
  return { Destination: maskDestination(delivery.medium, delivery.destination), DeliveryMedium: delivery.medium, AttributeName: delivery.attribute };
}

/**
 * Sends a code with the pool's verification template (password-reset messages use it too: "Emails
 * from attribute-update and password-reset operations use the code template"). A sender that
 * cannot deliver becomes Cognito's CodeDeliveryFailureException.
 */
export async function sendCode(
  services: UserPoolServices,
  pool: UserPoolRecord,
  user: UserRecord,
  delivery: CodeDelivery,
  code: string,
  purpose: CodePurpose,
): Promise<void> {
  const template = verificationMessage(pool.settings, delivery.medium);
  try {
    await services.messages.send({
      poolId: pool.id,
      channel: delivery.medium,
      destination: delivery.destination,
      username: user.username,
      purpose,
      code,
      ...(template.subject !== undefined ? { subject: template.subject } : {}),
      ...(pool.settings.EmailConfiguration?.From ? { from: pool.settings.EmailConfiguration.From } : {}),
      body: template.fill({ username: user.username, code }),
      at: services.now(),
    });
  } catch (error) {
    if (error instanceof MessageDeliveryFailed) throw new CodeDeliveryFailureException('Unable to deliver the verification code.');
    throw error;
  }
}
