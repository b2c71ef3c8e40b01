/**
 * A user attribute (stored, as on Cognito's wire, as a string) as a JWT or userInfo claim: the
 * verification flags are booleans and updated_at a number (OIDC Core §5.1 types them so, and
 * Cognito's ID tokens carry the flags as booleans); everything else stays a string. One function,
 * so an ID token and the userInfo endpoint never disagree about a claim's type.
 */
export function claimValue(name: string, value: string): string | boolean | number {
  if (name === 'email_verified' || name === 'phone_number_verified') return value === 'true';
  if (name === 'updated_at' && /^\d+$/.test(value)) return Number(value);
  return value;
}
