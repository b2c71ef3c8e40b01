import { randomUUID } from 'node:crypto';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { checkSecretHash, openClient } from '../auth/client-access.ts';
import { deliveryDetails, sendCode, signUpDelivery, type CodeDeliveryDetails } from '../codes/code-delivery.ts';
import { generateCode, storeCode } from '../codes/verification-codes.ts';
import { InvalidParameterException, NotAuthorizedException, UsernameExistsException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { newRecordId } from '../shared/identifiers.ts';
import { enforcePasswordPolicy } from '../users/password-policy.ts';
import { storePassword } from '../users/password-storage.ts';
import { checkAttributeChanges, checkRequiredAttributes } from '../users/user-attributes.ts';
import { normalizeUsername, saveUser, USER_LOOKUPS } from '../users/user-directory.ts';
import { identityOf } from '../users/user-identity.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';
import { checkWritableAttributes } from './writable-attributes.ts';

export interface SignUpInput {
  clientId: string;
  secretHash?: string;
  username: string;
  password?: string;
  attributes: Record<string, string>;
}

/** SignUpResponse. */
export interface SignUpResult {
  UserConfirmed: boolean;
  UserSub: string;
  CodeDeliveryDetails?: CodeDeliveryDetails;
}

/**
 * SignUp (Cognito API reference): a new UNCONFIRMED user with a permanent password. When the pool
 * auto-verifies an attribute the user gave, a confirmation code goes there and ConfirmSignUp
 * confirms the user; otherwise no code is sent and the user stays UNCONFIRMED until an
 * administrator confirms it (AdminConfirmSignUp), as in Cognito without a pre sign-up trigger.
 */
export async function signUp(services: UserPoolServices, input: SignUpInput): Promise<SignUpResult> {
  const { pool, client } = await openClient(services, input.clientId);
  checkSecretHash(client, input.username, input.secretHash);
  if (pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly) throw new NotAuthorizedException('SignUp is not permitted for this user pool');
  // Passwordless sign-up (choice-based sign-in) is not served, so a password is required.
  if (input.password === undefined) throw new InvalidParameterException('Password is required for SignUp.');
  const policy = passwordPolicyOf(pool.settings);
  enforcePasswordPolicy(input.password, policy);
  checkWritableAttributes(client, input.attributes);
  const { username, attributes } = identityOf(pool, input);
  checkAttributeChanges(pool.schema, attributes, { creating: true });
  checkRequiredAttributes(pool.schema, attributes);

  // A taken username fails before the deliberately slow hash; checked again in the transaction.
  await withPool(pool.id, () => services.vault.read(pool.id, (records) => refuseTakenUsername(records, pool, username)));
  const now = services.now();
  const password = await storePassword(pool.id, username, input.password, { temporary: false, validityDays: policy.TemporaryPasswordValidityDays, now });
  const user: UserRecord = {
    id: newRecordId(),
    username,
    sub: randomUUID(),
    attributes,
    enabled: true,
    status: 'UNCONFIRMED',
    createdAt: now,
    modifiedAt: now,
    password,
  };
  const delivery = signUpDelivery(pool, user);
  const code = generateCode();

  await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records) => {
      const current = await loadPool(records);
      await refuseTakenUsername(records, current, username);
      await saveUser(records, current, user);
      if (delivery) {
        await storeCode(records, { userId: user.id, purpose: 'sign-up', code, now, attribute: delivery.attribute, destination: delivery.destination, limited: true });
      }
    }),
  );
  if (!delivery) return { UserConfirmed: false, UserSub: user.sub };
  await sendCode(services, pool, user, delivery, code, 'sign-up');
  return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: deliveryDetails(delivery) };
}

/** Cognito's SignUp message for a taken username (AdminCreateUser says "User account already exists"). */
async function refuseTakenUsername(records: EncryptedRecords, pool: UserPoolRecord, username: string): Promise<void> {
  if ((await records.findIds(USER_RECORD_KIND, USER_LOOKUPS.username, normalizeUsername(pool, username), 1)).length > 0) throw new UsernameExistsException('User already exists');
}
