import { claimValue } from '../../auth/tokens/attribute-claims.ts';
import type { AppClientRecord } from '../../userpools/clients/app-client.ts';
import type { UserRecord } from '../../userpools/users/user-record.ts';

/**
 * What /oauth2/userInfo returns for the scopes of an access token (Cognito developer guide, "The
 * user attributes endpoint"; OIDC Core §5.4):
 *
 * - `openid` alone: every attribute the app client may read;
 * - `profile`: the OIDC profile claims and the custom attributes;
 * - `email`: email and email_verified; `phone`: phone_number and phone_number_verified;
 *
 * always with `sub` and `username` (Cognito adds the username), and always limited to the
 * client's ReadAttributes when it lists them. `aws.cognito.signin.user.admin` adds nothing.
 * Verification flags are JSON booleans and updated_at a number, as OIDC Core §5.1 types them and
 * as Meridian's ID tokens carry them.
 */
const PROFILE_CLAIMS = new Set([
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
  'address',
]);
const EMAIL_CLAIMS = new Set(['email', 'email_verified']);
const PHONE_CLAIMS = new Set(['phone_number', 'phone_number_verified']);

export function userInfoClaims(user: UserRecord, client: AppClientRecord, scopes: readonly string[]): Record<string, unknown> {
  const readable = client.settings.ReadAttributes;
  const describing = ['profile', 'email', 'phone'].filter((scope) => scopes.includes(scope));
  const wanted = (name: string): boolean => {
    if (name.startsWith('dev:')) return false;
    if (readable && !readable.includes(name)) return false;
    if (describing.length === 0) return true;
    return (
      (describing.includes('profile') && (PROFILE_CLAIMS.has(name) || name.startsWith('custom:'))) ||
      (describing.includes('email') && EMAIL_CLAIMS.has(name)) ||
      (describing.includes('phone') && PHONE_CLAIMS.has(name))
    );
  };
  const claims: Record<string, unknown> = { sub: user.sub };
  for (const [name, value] of Object.entries(user.attributes)) if (name !== 'sub' && wanted(name)) claims[name] = claimValue(name, value);
  claims.username = user.username;
  return claims;
}
