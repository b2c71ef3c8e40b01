import { InvalidParameterException, NotAuthorizedException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { loadPool } from '../pools/pool-directory.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { enforcePasswordPolicy } from '../users/password-policy.ts';
import { storePassword } from '../users/password-storage.ts';
import { checkAttributeChanges, checkRequiredAttributes } from '../users/user-attributes.ts';
import { saveUser } from '../users/user-directory.ts';
import { mustChooseNewPassword, USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { checkChallengeResponder, type ChallengeResponder } from './challenge-responder.ts';
import { openChallenge, passwordStamp, type ChallengeState } from './challenge-session.ts';
import { signInChallenge, tokenAnswer, type AuthResponse } from './sign-in.ts';
import { startSession } from './token-grant.ts';

export interface NewPasswordAnswer {
  session: string;
  newPassword: string;
  attributes: Record<string, string>;
  /** USERNAME and SECRET_HASH of an API call; the hosted pages, which keep the session themselves, send none. */
  responder?: ChallengeResponder;
}

/**
 * What choosing the new password committed: the next challenge, when one stands between the user
 * and tokens; else the user as saved, the pool record read with it and the session it begins.
 */
export type NewPasswordOutcome = { challenge: AuthResponse } | { user: UserRecord; pool: UserPoolRecord; sessionId: string };

/**
 * RespondToAuthChallenge NEW_PASSWORD_REQUIRED: the user replaces a temporary password (and may
 * supply required attributes as `userAttributes.<name>`), becomes CONFIRMED and gets tokens.
 * They are signed after the change commits (startSession says why).
 */
export async function answerNewPassword(services: UserPoolServices, pool: UserPoolRecord, client: AppClientRecord, input: NewPasswordAnswer): Promise<AuthResponse> {
  const outcome = await chooseNewPassword(services, pool, client, input);
  if ('challenge' in outcome) return outcome.challenge;
  return services.vault.read(pool.id, (records) => tokenAnswer(services, records, { client, user: outcome.user, pool: outcome.pool, startedSession: outcome.sessionId }));
}

/**
 * The change of NEW_PASSWORD_REQUIRED without the tokens (the hosted pages start a browser
 * session instead). The new password is hashed before the write transaction opens (Argon2id is
 * slow by design and the pool's writers wait for an open transaction); everything it depends on
 * is checked again on the user read inside it, so a change committed meanwhile is neither lost
 * nor bypassed.
 */
export async function chooseNewPassword(services: UserPoolServices, pool: UserPoolRecord, client: AppClientRecord, input: NewPasswordAnswer): Promise<NewPasswordOutcome> {
  const now = services.now();
  const { state, current } = await services.vault.read(pool.id, async (records) => {
    const opened = openChallenge(records, input.session, { challenge: 'NEW_PASSWORD_REQUIRED', clientId: client.id, now });
    const user = await records.get<UserRecord>(USER_RECORD_KIND, opened.userId);
    if (!user || !earnedWith(opened, user)) throw new NotAuthorizedException('Invalid session for the user.');
    if (input.responder) await checkChallengeResponder(records, pool, client, user, input.responder);
    return { state: opened, current: user };
  });
  const policy = passwordPolicyOf(pool.settings);
  enforcePasswordPolicy(input.newPassword, policy);
  checkAttributeChanges(pool.schema, input.attributes, { creating: false });
  const password = await storePassword(pool.id, current.username, input.newPassword, { temporary: false, validityDays: policy.TemporaryPasswordValidityDays, now });

  return services.vault.write(pool.id, async (records): Promise<NewPasswordOutcome> => {
    const latest = await loadPool(records);
    const user = await records.get<UserRecord>(USER_RECORD_KIND, state.userId);
    // The SRP verifier is bound to the username it was computed for.
    if (!user || !mustChooseNewPassword(user) || user.username !== current.username || !earnedWith(state, user)) throw new NotAuthorizedException('Invalid session for the user.');
    const attributes = { ...user.attributes, ...input.attributes };
    try {
      checkRequiredAttributes(latest.schema, attributes);
    } catch (error) {
      if (error instanceof InvalidParameterException) throw new InvalidParameterException(`${error.message}; supply it as userAttributes.<name> in ChallengeResponses.`);
      throw error;
    }
    const changed: UserRecord = { ...user, attributes, password, status: 'CONFIRMED', modifiedAt: now };
    await saveUser(records, latest, changed);
    // A sign-in's checks of the saved user: one that throws (a disabled user) rolls the change back.
    const challenge = signInChallenge(services, records, client, changed);
    if (challenge) return { challenge };
    return { user: changed, pool: latest, sessionId: await startSession(records, changed.id, services.now()) };
  });
}

/** Whether the challenge was earned with the temporary password the user still has (see ChallengeState.passwordStamp). */
function earnedWith(state: ChallengeState, user: UserRecord): boolean {
  return state.passwordStamp === passwordStamp(user.password);
}
