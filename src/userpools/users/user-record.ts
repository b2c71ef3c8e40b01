/** Record kind of users (id = opaque internal id; never the username or sub). */
export const USER_RECORD_KIND = 'user';

/** Cognito's UserStatusType values. */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'EXTERNAL_PROVIDER' | 'ARCHIVED' | 'COMPROMISED' | 'UNKNOWN';

/**
 * What a user's password is stored as: an Argon2id hash for password sign-in and an SRP verifier
 * for USER_SRP_AUTH (docs/SECURITY.md says why both). Never the password.
 */
export interface StoredPassword {
  hash: string;
  srpSalt: string;
  srpVerifier: string;
  setAt: number;
  /** A temporary password (AdminCreateUser, AdminSetUserPassword Permanent=false) expires. */
  temporary: boolean;
  expiresAt?: number;
}

/** A user as stored (encrypted) in its record. */
export interface UserRecord {
  id: string;
  /** The Cognito username as created (a generated UUID when the pool signs in by email/phone). */
  username: string;
  sub: string;
  /** Every attribute except sub, by name, as strings (Cognito's wire form). */
  attributes: Record<string, string>;
  enabled: boolean;
  status: UserStatus;
  createdAt: number;
  modifiedAt: number;
  password?: StoredPassword;
}

/**
 * Whether the user must choose a new password before it gets tokens: the one test behind both
 * issuing the NEW_PASSWORD_REQUIRED challenge and accepting its answer, so a user who is sent the
 * challenge can always answer it. FORCE_CHANGE_PASSWORD is Cognito's state for it; a temporary
 * password on an otherwise CONFIRMED user must not give tokens either. Other states are not
 * included: an UNCONFIRMED or RESET_REQUIRED user has other ways out (confirmation, a reset
 * code), and a challenge issued before an administrator's reset must not bypass that reset.
 */
export function mustChooseNewPassword(user: UserRecord): boolean {
  return user.status === 'FORCE_CHANGE_PASSWORD' || (user.status === 'CONFIRMED' && user.password?.temporary === true);
}
