import { NotAuthorizedException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';

/** Set by Cognito when a code proves the address; an app client never writes them by default. */
const VERIFICATION_FLAGS = ['email_verified', 'phone_number_verified'];

/**
 * SignUp writes attributes on behalf of an app client: only those in its WriteAttributes (every
 * attribute except the verification flags when it lists none). Cognito's error otherwise.
 */
export function checkWritableAttributes(client: AppClientRecord, attributes: Record<string, string>): void {
  const writable = client.settings.WriteAttributes;
  for (const name of Object.keys(attributes)) {
    const allowed = writable ? writable.includes(name) : !VERIFICATION_FLAGS.includes(name);
    if (!allowed) throw new NotAuthorizedException('A client attempted to write unauthorized attribute');
  }
}
