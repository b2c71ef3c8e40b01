import { randomUUID } from 'node:crypto';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { findBySignInAttribute, saveUser, signInIdentifiers } from './user-directory.ts';
import type { UserRecord } from './user-record.ts';

/**
 * Who a new user is (AdminCreateUser, SignUp): with UsernameAttributes, the given username must be
 * an email or phone number, becomes that attribute, and the stored username is a generated UUID,
 * as Cognito does; otherwise the username is kept as given.
 */
export function identityOf(pool: UserPoolRecord, input: { username: string; attributes: Record<string, string> }): { username: string; attributes: Record<string, string> } {
  const attributes = { ...input.attributes };
  if (pool.usernameAttributes.length === 0) return { username: input.username, attributes };
  const isEmail = input.username.includes('@');
  const attribute = isEmail ? 'email' : 'phone_number';
  if (!(pool.usernameAttributes as string[]).includes(attribute)) {
    throw new InvalidParameterException(`Username should be ${pool.usernameAttributes.map((name) => (name === 'email' ? 'an email' : 'a phone number')).join(' or ')}.`);
  }
  if (attributes[attribute] && attributes[attribute] !== input.username) {
    throw new InvalidParameterException(`The ${attribute} attribute must match the username.`);
  }
  attributes[attribute] = input.username;
  return { username: randomUUID(), attributes };
}

/**
 * ForceAliasCreation (AdminCreateUser, ConfirmSignUp): moves a sign-in alias held by another user
 * to `user`; the other user loses its verified flag (or its preferred_username). Runs in the
 * caller's transaction, before `user` is saved.
 */
export async function releaseAliases(records: EncryptedRecords, pool: UserPoolRecord, user: UserRecord, now: number): Promise<void> {
  for (const [name, value] of signInIdentifiers(pool, user)) {
    if ((pool.usernameAttributes as string[]).includes(name)) continue;
    const holder = await findBySignInAttribute(records, name, value);
    if (!holder || holder.id === user.id) continue;
    const attributes = { ...holder.attributes };
    if (name === 'preferred_username') delete attributes.preferred_username;
    else attributes[`${name}_verified`] = 'false';
    await saveUser(records, pool, { ...holder, attributes, modifiedAt: now });
  }
}
