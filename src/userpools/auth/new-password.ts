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
import { openChallenge } from './challenge-session.ts';
import { completeSignIn, type AuthResponse } from './sign-in.ts';

/**
 * RespondToAuthChallenge NEW_PASSWORD_REQUIRED: the user replaces a temporary password (and may
 * supply required attributes as `userAttributes.<name>`), becomes CONFIRMED and gets tokens.
 */
export async function answerNewPassword(
  services: UserPoolServices,
  pool: UserPoolRecord,
  client: AppClientRecord,
  input: {
    session: string;
    newPassword: string;
    attributes: Record<string, string>;
    /** USERNAME and SECRET_HASH of an API call; the hosted pages, which keep the session themselves, send none. */
    responder?: ChallengeResponder;
  },
): Promise<AuthResponse> {
  const now = services.now();
  const { state, current } = await services.vault.read(pool.id, async (records) => {
    const opened = openChallenge(records, input.session, { challenge: 'NEW_PASSWORD_REQUIRED', clientId: client.id, now });
    const user = await records.get<UserRecord>(USER_RECORD_KIND, opened.userId);
    if (!user) throw new NotAuthorizedException('Invalid session for the user.');
    if (input.responder) await checkChallengeResponder(records, pool, client, user, input.responder);
    return { state: opened, current: user };
  });
  const policy = passwordPolicyOf(pool.settings);
  enforcePasswordPolicy(input.newPassword, policy);
  checkAttributeChanges(pool.schema, input.attributes, { creating: false });
  const password = await storePassword(pool.id, current.username, input.newPassword, { temporary: false, validityDays: policy.TemporaryPasswordValidityDays, now });

  return services.vault.write(pool.id, async (records) => {
    const latest = await loadPool(records);
    const user = await records.get<UserRecord>(USER_RECORD_KIND, state.userId);
    if (!user || !mustChooseNewPassword(user)) throw new NotAuthorizedException('Invalid session for the user.');
    const attributes = { ...user.attributes, ...input.attributes };
    try {
      checkRequiredAttributes(latest.schema, attributes);
    } catch (error) {
      if (error instanceof InvalidParameterException) throw new InvalidParameterException(`${error.message}; supply it as userAttributes.<name> in ChallengeResponses.`);
      throw error;
    }
    const changed: UserRecord = { ...user, attributes, password, status: 'CONFIRMED', modifiedAt: now };
    await saveUser(records, latest, changed);
    return completeSignIn(services, records, client, changed, latest);
  });
}
