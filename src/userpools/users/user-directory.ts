import type { EncryptedRecords, LookupKey } from '../../crypto/encrypted-records.ts';
import { UniqueIndexViolation } from '../../store/store.ts';
import { removeUserMemberships } from '../groups/group-memberships.ts';
import { AliasExistsException, UsernameExistsException, UserNotFoundException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { USER_RECORD_KIND, type UserRecord } from './user-record.ts';

/** Attributes that can identify a user at sign-in, besides the username. */
const SIGN_IN_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'] as const;
type SignInAttribute = (typeof SIGN_IN_ATTRIBUTES)[number];

/** Lookup names, stored only as blind indexes. */
export const USER_LOOKUPS = {
  username: 'username',
  sub: 'sub',
  /** Any user's attribute value, for ListUsers filters (not unique). */
  attribute: (name: string) => `attribute:${name}`,
  /** A sign-in identifier (username attribute or verified alias): unique in the pool. */
  signIn: (name: SignInAttribute) => `sign-in:${name}`,
};

export function normalizeUsername(pool: UserPoolRecord, username: string): string {
  return pool.usernameCaseSensitive ? username : username.toLowerCase();
}

/** Email and preferred_username match case-insensitively in Cognito; phone numbers are exact. */
export function normalizeAttribute(name: string, value: string): string {
  return name === 'phone_number' ? value : value.toLowerCase();
}

/** Which of a user's attributes currently serve as sign-in identifiers in this pool. */
export function signInIdentifiers(pool: UserPoolRecord, user: UserRecord): Array<[SignInAttribute, string]> {
  const identifiers: Array<[SignInAttribute, string]> = [];
  for (const name of SIGN_IN_ATTRIBUTES) {
    const value = user.attributes[name];
    if (!value) continue;
    const asUsername = (pool.usernameAttributes as string[]).includes(name);
    const verified = name === 'preferred_username' || user.attributes[`${name}_verified`] === 'true';
    const asAlias = (pool.aliasAttributes as string[]).includes(name) && verified;
    if (asUsername || asAlias) identifiers.push([name, value]);
  }
  return identifiers;
}

function lookupsOf(pool: UserPoolRecord, user: UserRecord): LookupKey[] {
  const lookups: LookupKey[] = [
    { name: USER_LOOKUPS.username, value: normalizeUsername(pool, user.username), unique: true },
    { name: USER_LOOKUPS.sub, value: user.sub, unique: true },
  ];
  for (const name of ['email', 'phone_number', 'preferred_username', 'name', 'given_name', 'family_name']) {
    const value = user.attributes[name];
    if (value) lookups.push({ name: USER_LOOKUPS.attribute(name), value: normalizeAttribute(name, value) });
  }
  for (const [name, value] of signInIdentifiers(pool, user)) {
    lookups.push({ name: USER_LOOKUPS.signIn(name), value: normalizeAttribute(name, value), unique: true });
  }
  return lookups;
}

/**
 * Saves a user with all its lookups; a taken username or sign-in identifier becomes Cognito's
 * UsernameExistsException (username or username attribute) or AliasExistsException (alias).
 */
export async function saveUser(records: EncryptedRecords, pool: UserPoolRecord, user: UserRecord): Promise<void> {
  try {
    await records.put(USER_RECORD_KIND, user.id, user, lookupsOf(pool, user));
  } catch (error) {
    if (!(error instanceof UniqueIndexViolation)) throw error;
    const attribute = error.indexName.replace(/^sign-in:/, '');
    if (error.indexName === USER_LOOKUPS.username) throw new UsernameExistsException('User account already exists');
    if ((pool.usernameAttributes as string[]).includes(attribute)) {
      throw new UsernameExistsException(`An account with the given ${attribute === 'phone_number' ? 'phone_number' : 'email'} already exists.`);
    }
    throw new AliasExistsException('An account with the given email already exists.'.replace('email', attribute));
  }
}

/** The user holding a sign-in identifier, if any (for alias moves and sign-in). */
export async function findBySignInAttribute(records: EncryptedRecords, name: SignInAttribute, value: string): Promise<UserRecord | null> {
  return (await records.find<UserRecord>(USER_RECORD_KIND, USER_LOOKUPS.signIn(name), normalizeAttribute(name, value)))?.value ?? null;
}

/**
 * Finds a user the way Cognito's `Username` parameter does: by username, then by a sign-in
 * alias (email, phone_number, preferred_username), then by sub.
 */
export async function findUser(records: EncryptedRecords, pool: UserPoolRecord, username: string): Promise<UserRecord | null> {
  const byName = await records.find<UserRecord>(USER_RECORD_KIND, USER_LOOKUPS.username, normalizeUsername(pool, username));
  if (byName) return byName.value;
  for (const name of SIGN_IN_ATTRIBUTES) {
    const byAlias = await findBySignInAttribute(records, name, username);
    if (byAlias) return byAlias;
  }
  return (await records.find<UserRecord>(USER_RECORD_KIND, USER_LOOKUPS.sub, username))?.value ?? null;
}

export async function requireUser(records: EncryptedRecords, pool: UserPoolRecord, username: string): Promise<UserRecord> {
  const user = await findUser(records, pool, username);
  if (!user) throw new UserNotFoundException('User does not exist.');
  return user;
}

/** Deletes the user with everything that hangs off it (group memberships), in the caller's transaction. */
export async function deleteUser(records: EncryptedRecords, user: UserRecord): Promise<void> {
  await removeUserMemberships(records, user.id);
  await records.delete(USER_RECORD_KIND, user.id);
}
