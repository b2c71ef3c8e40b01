import { NotAuthorizedException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserRecord } from '../users/user-record.ts';
import { attributeList } from '../users/user-view.ts';

/**
 * What a signed-in user may read and write of their own attributes through an app client
 * (UserPoolClientType ReadAttributes / WriteAttributes). With no list of its own, a client reads
 * every attribute and writes every one except the verification flags, which only a verification
 * (or an administrator) sets: a user who could write `email_verified` could make any address a
 * sign-in alias. Developer-only attributes are never visible to or writable by app clients.
 */
const VERIFICATION_FLAGS = new Set(['email_verified', 'phone_number_verified']);

export function readableAttributes(pool: UserPoolRecord, client: AppClientRecord, user: UserRecord): Array<{ Name: string; Value: string }> {
  const chosen = client.settings.ReadAttributes;
  return attributeList(user).filter(({ Name }) => {
    // sub is always returned: it is the user's identifier, and in every ID token anyway.
    if (Name === 'sub') return true;
    const attribute = pool.schema.find((entry) => entry.Name === Name);
    if (!attribute || attribute.DeveloperOnlyAttribute) return false;
    return chosen === undefined || chosen.includes(Name);
  });
}

/**
 * Refuses a change to an attribute the client may not write, with Cognito's error. Names outside
 * the schema and `sub` are left to the schema rules (applyAttributeChanges), which name the problem.
 */
export function checkWritableAttributes(pool: UserPoolRecord, client: AppClientRecord, names: string[]): void {
  const chosen = client.settings.WriteAttributes;
  for (const name of names) {
    const attribute = pool.schema.find((entry) => entry.Name === name);
    if (!attribute || name === 'sub') continue;
    const writable = !attribute.DeveloperOnlyAttribute && (chosen === undefined ? !VERIFICATION_FLAGS.has(name) : chosen.includes(name));
    if (!writable) throw new NotAuthorizedException('A client attempted to write unauthorized attribute');
  }
}
