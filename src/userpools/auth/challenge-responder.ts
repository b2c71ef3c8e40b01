import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { NotAuthorizedException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { findUser } from '../users/user-directory.ts';
import type { UserRecord } from '../users/user-record.ts';
import { checkSecretHash } from './client-access.ts';
import { INCORRECT_CREDENTIALS } from './sign-in.ts';

/** Who RespondToAuthChallenge says is answering: ChallengeResponses USERNAME and SECRET_HASH. */
export interface ChallengeResponder {
  username: string;
  secretHash: string | undefined;
}

/**
 * A challenge answer names its user again (USERNAME) and, for a client with a secret, proves the
 * secret with SECRET_HASH. Both must be about the user the challenge was issued for, whatever
 * name the caller sends: SECRET_HASH is computed over that user's username, the USER_ID_FOR_SRP
 * of the challenge and never an alias (RespondToAuthChallenge API reference, ChallengeResponses;
 * Cognito answers an alias-based hash "Unable to verify secret hash"), and a USERNAME that names
 * another user is refused like a wrong password.
 *
 * `user` is null for the PASSWORD_VERIFIER challenge an unknown user gets when user-existence
 * errors are prevented: the hash is checked over the name that challenge was issued for (its
 * USER_ID_FOR_SRP is the name given), and the proof then fails as for a wrong password.
 */
export async function checkChallengeResponder(
  records: EncryptedRecords,
  pool: UserPoolRecord,
  client: AppClientRecord,
  user: UserRecord | null,
  responder: ChallengeResponder,
): Promise<void> {
  if (!user) {
    checkSecretHash(client, responder.username, responder.secretHash);
    return;
  }
  checkSecretHash(client, user.username, responder.secretHash);
  // The username, as USER_ID_FOR_SRP gives it, is what clients send; a sign-in alias or another
  // spelling of the same user is tolerated, since it names the same user.
  if (responder.username === user.username) return;
  const named = await findUser(records, pool, responder.username);
  if (named?.id !== user.id) throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
}
