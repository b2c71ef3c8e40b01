import { checkPasswordClaim, isTimestampFresh, startPasswordVerifier } from '../../auth/passwords/srp.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException, NotAuthorizedException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { findUser } from '../users/user-directory.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { checkChallengeResponder, type ChallengeResponder } from './challenge-responder.ts';
import { openChallenge, sealChallenge } from './challenge-session.ts';
import { clearFailedAttempts, completeSignIn, guardLockout, INCORRECT_CREDENTIALS, noteFailedAttempt, unknownUserError, type AuthResponse } from './sign-in.ts';

/**
 * USER_SRP_AUTH, step 1 (InitiateAuth with SRP_A): answers PASSWORD_VERIFIER with the user's salt,
 * the server's public value B and a SECRET_BLOCK that carries the sealed server state back to us.
 * With PreventUserExistenceErrors, an unknown user gets an indistinguishable fake challenge that
 * can only fail, as Cognito does.
 */
export async function startSrpSignIn(
  services: UserPoolServices,
  records: EncryptedRecords,
  pool: UserPoolRecord,
  client: AppClientRecord,
  input: { username: string; clientPublic: string },
): Promise<AuthResponse> {
  if (!/^[0-9a-fA-F]{1,1024}$/.test(input.clientPublic)) throw new InvalidParameterException('SRP_A is not a valid hex value.');
  const user = await findUser(records, pool, input.username);
  if (!user && client.settings.PreventUserExistenceErrors !== 'ENABLED') throw unknownUserError(client);
  if (user) await guardLockout(services, pool.id, user);

  const salt = user?.password?.srpSalt ?? records.fingerprint('srp-fake-salt', input.username).slice(0, 32);
  const verifier = user?.password?.srpVerifier ?? records.fingerprint('srp-fake-verifier', input.username);
  const server = startPasswordVerifier(verifier);
  const secretBlock = sealChallenge(records, {
    challenge: 'PASSWORD_VERIFIER',
    clientId: client.id,
    userId: user?.id ?? '',
    expiresAt: services.now() + client.settings.AuthSessionValidity * 60_000,
    srp: { ...server, clientPublic: input.clientPublic.toLowerCase() },
  });
  const userIdForSrp = user?.username ?? input.username;
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: salt,
      SECRET_BLOCK: Buffer.from(secretBlock, 'base64url').toString('base64'),
      SRP_B: server.serverPublic,
      USERNAME: userIdForSrp,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  };
}

/**
 * USER_SRP_AUTH, step 2 (RespondToAuthChallenge PASSWORD_VERIFIER): checks the client's proof of
 * the password against the verifier, without the password ever crossing the wire.
 */
export async function finishSrpSignIn(
  services: UserPoolServices,
  records: EncryptedRecords,
  pool: UserPoolRecord,
  client: AppClientRecord,
  responses: { secretBlock: string; signature: string; timestamp: string; responder: ChallengeResponder },
): Promise<AuthResponse> {
  const now = services.now();
  const state = openChallenge(records, Buffer.from(responses.secretBlock, 'base64').toString('base64url'), { challenge: 'PASSWORD_VERIFIER', clientId: client.id, now });
  const user = state.userId ? await records.get<UserRecord>(USER_RECORD_KIND, state.userId) : null;
  await checkChallengeResponder(records, pool, client, user, responses.responder);
  if (!isTimestampFresh(responses.timestamp, new Date(now))) throw new NotAuthorizedException('Invalid timestamp.');
  if (!user || !user.password || !state.srp) throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
  const lockout = await guardLockout(services, pool.id, user);
  const valid = checkPasswordClaim({
    poolName: pool.id.slice(pool.id.indexOf('_') + 1),
    userId: user.username,
    saltHex: user.password.srpSalt,
    verifierHex: user.password.srpVerifier,
    clientPublicHex: state.srp.clientPublic,
    serverSecretHex: state.srp.serverSecret,
    serverPublicHex: state.srp.serverPublic,
    secretBlockBase64: responses.secretBlock,
    timestamp: responses.timestamp,
    signatureBase64: responses.signature,
  });
  if (!valid) {
    await noteFailedAttempt(services, pool.id, user);
    throw new NotAuthorizedException(INCORRECT_CREDENTIALS);
  }
  await clearFailedAttempts(services, pool.id, user, lockout);
  return completeSignIn(services, records, client, user, pool);
}
