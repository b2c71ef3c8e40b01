import { createHash } from 'node:crypto';
import { NotAuthorizedException } from '../errors.ts';
import type { StoredPassword } from '../users/user-record.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';

/**
 * State carried between InitiateAuth and RespondToAuthChallenge. Cognito hands clients an opaque
 * `Session` (and, for SRP, a SECRET_BLOCK); ours is the state itself, sealed under the pool's token
 * key, so no region stores anything per sign-in attempt and any region can continue the flow.
 */
export type ChallengeName = 'PASSWORD_VERIFIER' | 'NEW_PASSWORD_REQUIRED';

export interface ChallengeState {
  challenge: ChallengeName;
  clientId: string;
  userId: string;
  /** Epoch ms after which the session is refused (app client AuthSessionValidity). */
  expiresAt: number;
  /** SRP server secret b and public B, for PASSWORD_VERIFIER. */
  srp?: { serverSecret: string; serverPublic: string; clientPublic: string };
  /**
   * For NEW_PASSWORD_REQUIRED: which temporary password the challenge was earned with
   * (`passwordStamp`), so it is void once an administrator sets another one (a RESEND, a new
   * AdminSetUserPassword): whoever held the old one must not choose the password.
   */
  passwordStamp?: string;
}

const PURPOSE = 'challenge';

export function sealChallenge(records: EncryptedRecords, state: ChallengeState): string {
  return records.sealToken(PURPOSE, state);
}

/**
 * A stamp of one stored password: a digest of its Argon2id hash, whose random salt differs on every
 * set, so two passwords never share it (unlike their `setAt` times). Carried only sealed.
 */
export function passwordStamp(password: StoredPassword | undefined): string {
  return password ? createHash('sha256').update(password.hash).digest('base64url').slice(0, 22) : '';
}

/** Opens a session for the expected challenge and client, or fails as Cognito does. */
export function openChallenge(records: EncryptedRecords, session: string, expected: { challenge: ChallengeName; clientId: string; now: number }): ChallengeState {
  const state = records.openToken<ChallengeState>(PURPOSE, session.replace(/\s/g, ''));
  if (!state || state.challenge !== expected.challenge || state.clientId !== expected.clientId) throw new NotAuthorizedException('Invalid session for the user.');
  if (state.expiresAt <= expected.now) throw new NotAuthorizedException('Invalid session for the user, session is expired.');
  return state;
}
