import { signOutEverywhere } from '../../auth/sessions/revocation.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException } from '../errors.ts';
import { loadPool, readPool, withPool } from '../pools/pool-directory.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { checkAttributeChanges, checkRequiredAttributes } from './user-attributes.ts';
import { deleteUser, requireUser, saveUser } from './user-directory.ts';
import { enforcePasswordPolicy } from './password-policy.ts';
import { storePassword } from './password-storage.ts';
import type { StoredPassword, UserRecord } from './user-record.ts';

/**
 * Changes one user atomically: finds it as Cognito's `Username` parameter does, applies `change`
 * and saves it with fresh lookups and a new modification time, all in one transaction. `change`
 * gets the transaction's records for writes that belong with the change (ending sessions).
 */
export async function changeUser(
  services: UserPoolServices,
  poolId: string,
  username: string,
  change: (user: UserRecord, pool: UserPoolRecord, records: EncryptedRecords) => UserRecord | Promise<UserRecord>,
): Promise<UserRecord> {
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      const user = await requireUser(records, pool, username);
      const changed = { ...(await change(user, pool, records)), modifiedAt: services.now() };
      await saveUser(records, pool, changed);
      return changed;
    }),
  );
}

export async function readUser(services: UserPoolServices, poolId: string, username: string): Promise<UserRecord> {
  return withPool(poolId, () => services.vault.read(poolId, async (records) => requireUser(records, await loadPool(records), username)));
}

export async function removeUser(services: UserPoolServices, poolId: string, username: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => deleteUser(records, await requireUser(records, await loadPool(records), username))),
  );
}

/**
 * The attribute rules of AdminUpdateUserAttributes and UpdateUserAttributes: names in the schema,
 * values of their type, immutable attributes untouched, required ones kept; changing email or
 * phone_number clears its verified flag unless the same request sets it, as Cognito does.
 */
export function applyAttributeChanges(pool: UserPoolRecord, user: UserRecord, changes: Record<string, string>): UserRecord {
  checkAttributeChanges(pool.schema, changes, { creating: false });
  const attributes = { ...user.attributes, ...changes };
  for (const name of ['email', 'phone_number']) {
    const verifiedFlag = `${name}_verified`;
    if (name in changes && changes[name] !== user.attributes[name] && !(verifiedFlag in changes)) attributes[verifiedFlag] = 'false';
  }
  checkRequiredAttributes(pool.schema, attributes);
  return { ...user, attributes };
}

export function deleteAttributes(services: UserPoolServices, poolId: string, username: string, names: string[]): Promise<UserRecord> {
  return changeUser(services, poolId, username, (user, pool) => {
    const attributes = { ...user.attributes };
    for (const name of names) {
      const attribute = pool.schema.find((entry) => entry.Name === name);
      if (!attribute) throw new InvalidParameterException(`Attribute ${name} does not exist in the schema.`);
      if (attribute.Required || name === 'sub') throw new InvalidParameterException(`Cannot delete the required attribute ${name}.`);
      if (!attribute.Mutable) throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${name}.`);
      delete attributes[name];
      if (name === 'email' || name === 'phone_number') delete attributes[`${name}_verified`];
    }
    return { ...user, attributes };
  });
}

/**
 * Gives a user a password hashed outside the write transaction: Argon2id is slow by design, and
 * every writer of the pool waits while one is open (the `pools` row lock on PostgreSQL, the writer
 * queue on SQLite). The user is read first and `hash` runs for it (refusing, before any hashing,
 * what must fail); `apply` then runs in changeUser's transaction on the user read again, which
 * must be the same user, since the SRP verifier is bound to its username.
 */
export async function changeUserPassword(
  services: UserPoolServices,
  poolId: string,
  username: string,
  hash: (user: UserRecord) => Promise<StoredPassword>,
  apply: (user: UserRecord, password: StoredPassword, records: EncryptedRecords) => UserRecord | Promise<UserRecord>,
): Promise<UserRecord> {
  const current = await readUser(services, poolId, username);
  const password = await hash(current);
  return changeUser(services, poolId, username, (user, _pool, records) => {
    if (user.id !== current.id) throw new InvalidParameterException('The user changed while its password was being set; retry.');
    return apply(user, password, records);
  });
}

/**
 * AdminSetUserPassword: Permanent=true confirms the user; false makes it a temporary password
 * that must be changed at the next sign-in (FORCE_CHANGE_PASSWORD). Every session of the user ends
 * in the same transaction: whoever held the old password loses its refresh tokens at once.
 */
export async function setPassword(services: UserPoolServices, poolId: string, username: string, password: string, permanent: boolean): Promise<void> {
  await changeUserPassword(
    services,
    poolId,
    username,
    async (user) => {
      const policy = passwordPolicyOf((await readPool(services, poolId)).settings);
      enforcePasswordPolicy(password, policy);
      return storePassword(poolId, user.username, password, { temporary: !permanent, validityDays: policy.TemporaryPasswordValidityDays, now: services.now() });
    },
    async (user, stored, records) => {
      await signOutEverywhere(records, user.id, services.now());
      return { ...user, password: stored, status: permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD' };
    },
  );
}

/**
 * AdminDisableUser ends every session of the user in the same transaction. The sign-out stays
 * when AdminEnableUser turns the user on again, so old refresh tokens are not revived: the user
 * signs in anew, as in Cognito.
 */
export function setEnabled(services: UserPoolServices, poolId: string, username: string, enabled: boolean): Promise<UserRecord> {
  return changeUser(services, poolId, username, async (user, _pool, records) => {
    if (!enabled) await signOutEverywhere(records, user.id, services.now());
    return { ...user, enabled };
  });
}
