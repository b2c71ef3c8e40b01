import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { CodeMismatchException, ExpiredCodeException, LimitExceededException } from '../errors.ts';

/**
 * One-time verification codes (sign-up confirmation, password reset, verifying a changed email or
 * phone number: account/attribute-verification.ts). A code is six digits, as
 * Cognito sends; only a keyed hash of it is kept, inside an encrypted record of kind
 * `verification-code` whose id is (user id, purpose), so issuing a new code replaces the old one.
 */
export const VERIFICATION_CODE_KIND = 'verification-code';

export type CodePurpose = 'sign-up' | 'forgot-password' | 'verify-email' | 'verify-phone_number';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Cognito: "The confirmation code sent in a sign-up message is valid for 24 hours"; a
 * forgot-password code is valid for one hour (developer guide, "Signing up and confirming user
 * accounts" and "Recovering user accounts"); an attribute verification code, like a sign-up
 * code, for 24 hours.
 */
export const CODE_VALIDITY_MS: Readonly<Record<CodePurpose, number>> = {
  'sign-up': 24 * HOUR_MS,
  'forgot-password': HOUR_MS,
  'verify-email': 24 * HOUR_MS,
  'verify-phone_number': 24 * HOUR_MS,
};

/** Wrong guesses one code survives; the last one spends it (10^6 codes, so at most 5 in 10^6 per code). */
export const MAX_CODE_ATTEMPTS = 5;

/**
 * Codes a user may be sent per purpose and hour through the public API (SignUp counts as the
 * first). Without it the attempt bound would be moot: each new code would bring fresh guesses.
 */
export const MAX_CODES_PER_HOUR = 5;

/** Cognito's messages for these errors. */
export const CODE_MISMATCH_MESSAGE = 'Invalid verification code provided, please try again.';
export const EXPIRED_CODE_MESSAGE = 'Invalid code provided, please request a code again.';
export const ATTEMPT_LIMIT_MESSAGE = 'Attempt limit exceeded, please try after some time.';

export type VerifiedAttribute = 'email' | 'phone_number';

interface VerificationCodeRecord {
  userId: string;
  purpose: CodePurpose;
  /** Random per code, so equal codes issued twice never hash alike. */
  nonce: string;
  /** HMAC of the code under the pool's index key (records.fingerprint); never the code. */
  digest: string;
  issuedAt: number;
  expiresAt: number;
  failedAttempts: number;
  /** The attribute the code was sent to, and a fingerprint of its value then. */
  attribute?: VerifiedAttribute;
  destinationDigest?: string;
  /** Codes issued in the current hour window (MAX_CODES_PER_HOUR). */
  windowStartedAt: number;
  issuedInWindow: number;
}

export type CodeVerdict =
  | { outcome: 'accepted'; attribute?: VerifiedAttribute; destinationDigest?: string }
  | { outcome: 'mismatch' | 'expired' | 'exhausted' };

/** Six decimal digits, uniformly from crypto.randomInt. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function recordId(userId: string, purpose: CodePurpose): string {
  return `${userId}.${purpose}`;
}

function codeDigest(records: EncryptedRecords, record: Pick<VerificationCodeRecord, 'userId' | 'purpose' | 'nonce'>, code: string): string {
  return records.fingerprint(`${VERIFICATION_CODE_KIND}:${record.purpose}`, `${record.userId}\u0000${record.nonce}\u0000${code}`);
}

/** A keyed fingerprint of the address a code went to, to check it is still the user's. */
export function destinationFingerprint(records: EncryptedRecords, value: string): string {
  return records.fingerprint(`${VERIFICATION_CODE_KIND}:destination`, value);
}

/**
 * Stores the hash of a new code for (user, purpose), replacing (and so invalidating) any earlier
 * one, inside the caller's transaction. `limited` applies MAX_CODES_PER_HOUR (public actions);
 * over it, Cognito's LimitExceededException.
 */
export async function storeCode(
  records: EncryptedRecords,
  input: { userId: string; purpose: CodePurpose; code: string; now: number; attribute?: VerifiedAttribute; destination?: string; limited: boolean },
): Promise<void> {
  const id = recordId(input.userId, input.purpose);
  const previous = await records.get<VerificationCodeRecord>(VERIFICATION_CODE_KIND, id);
  const sameWindow = previous !== null && input.now - previous.windowStartedAt < HOUR_MS;
  const issuedInWindow = sameWindow ? previous.issuedInWindow + 1 : 1;
  if (input.limited && issuedInWindow > MAX_CODES_PER_HOUR) throw new LimitExceededException(ATTEMPT_LIMIT_MESSAGE);
  const base = { userId: input.userId, purpose: input.purpose, nonce: randomBytes(16).toString('hex') };
  const record: VerificationCodeRecord = {
    ...base,
    digest: codeDigest(records, base, input.code),
    issuedAt: input.now,
    expiresAt: input.now + CODE_VALIDITY_MS[input.purpose],
    failedAttempts: 0,
    ...(input.attribute ? { attribute: input.attribute } : {}),
    ...(input.destination !== undefined ? { destinationDigest: destinationFingerprint(records, input.destination) } : {}),
    windowStartedAt: sameWindow ? previous.windowStartedAt : input.now,
    issuedInWindow,
  };
  await records.put(VERIFICATION_CODE_KIND, id, record);
}

/**
 * Judges a code without changing anything (so a caller can skip slow work, such as hashing a new
 * password, for a code that cannot succeed). Missing or used codes count as expired, as in
 * Cognito ("If a code isn't requested ... ExpiredCodeException").
 */
export async function peekCode(records: EncryptedRecords, input: { userId: string; purpose: CodePurpose; code: string; now: number }): Promise<CodeVerdict> {
  const record = await records.get<VerificationCodeRecord>(VERIFICATION_CODE_KIND, recordId(input.userId, input.purpose));
  return judge(records, record, input.code, input.now);
}

/**
 * Redeems a code in the caller's transaction: an accepted code is deleted (single use) unless
 * `consume` is false; a wrong one counts an attempt and the last allowed attempt spends it. The
 * caller must let the transaction commit before throwing `codeError(verdict)`, or the attempt
 * would not count.
 */
export async function redeemCode(
  records: EncryptedRecords,
  input: { userId: string; purpose: CodePurpose; code: string; now: number },
  options: { consume: boolean } = { consume: true },
): Promise<CodeVerdict> {
  const id = recordId(input.userId, input.purpose);
  const record = await records.get<VerificationCodeRecord>(VERIFICATION_CODE_KIND, id);
  const verdict = judge(records, record, input.code, input.now);
  if (verdict.outcome === 'accepted' && options.consume) await records.delete(VERIFICATION_CODE_KIND, id);
  if (verdict.outcome === 'mismatch' && record) await records.put(VERIFICATION_CODE_KIND, id, { ...record, failedAttempts: record.failedAttempts + 1 });
  return verdict;
}

/** Drops any outstanding code (AdminConfirmSignUp makes the sign-up code pointless). */
export async function discardCode(records: EncryptedRecords, userId: string, purpose: CodePurpose): Promise<void> {
  await records.delete(VERIFICATION_CODE_KIND, recordId(userId, purpose));
}

/** Cognito's error for a verdict that is not `accepted`. */
export function codeError(verdict: CodeVerdict): Error {
  switch (verdict.outcome) {
    case 'expired':
      return new ExpiredCodeException(EXPIRED_CODE_MESSAGE);
    case 'exhausted':
      return new LimitExceededException(ATTEMPT_LIMIT_MESSAGE);
    default:
      return new CodeMismatchException(CODE_MISMATCH_MESSAGE);
  }
}

function judge(records: EncryptedRecords, record: VerificationCodeRecord | null, code: string, now: number): CodeVerdict {
  if (!record) return { outcome: 'expired' };
  if (record.failedAttempts >= MAX_CODE_ATTEMPTS) return { outcome: 'exhausted' };
  if (record.expiresAt <= now) return { outcome: 'expired' };
  const expected = Buffer.from(record.digest, 'hex');
  const given = Buffer.from(codeDigest(records, record, code), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { outcome: 'mismatch' };
  return { outcome: 'accepted', ...(record.attribute ? { attribute: record.attribute } : {}), ...(record.destinationDigest ? { destinationDigest: record.destinationDigest } : {}) };
}
