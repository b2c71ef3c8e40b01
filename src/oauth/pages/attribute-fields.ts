import type { UserPoolRecord } from '../../userpools/pools/user-pool.ts';
import type { Field } from './html.ts';

/**
 * Form fields for user attributes the pool requires (SchemaAttributeType Required), as Cognito's
 * hosted UI asks for them at sign-up and when a new password is required. Field names are
 * `attribute:<name>`; labels and autocomplete tokens follow the OIDC standard claims.
 */
const AUTOCOMPLETE: Record<string, string> = {
  name: 'name',
  given_name: 'given-name',
  family_name: 'family-name',
  middle_name: 'additional-name',
  nickname: 'nickname',
  preferred_username: 'username',
  profile: 'url',
  picture: 'photo',
  website: 'url',
  email: 'email',
  gender: 'sex',
  birthdate: 'bday',
  zoneinfo: 'off',
  locale: 'language',
  phone_number: 'tel',
  address: 'street-address',
};

const FIELD_PREFIX = 'attribute:';
/** Set by the pool, never typed by a user. */
const NOT_TYPED = new Set(['sub', 'email_verified', 'phone_number_verified', 'updated_at']);

export function attributeLabel(name: string): string {
  if (name === 'phone_number') return 'Phone number';
  const words = name.replace(/^custom:/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Required attributes of the pool that `present` does not hold, except `skip`. */
export function missingRequiredAttributes(pool: UserPoolRecord, present: Record<string, string>, skip: readonly string[] = []): string[] {
  return pool.schema
    .filter((attribute) => attribute.Required && !attribute.DeveloperOnlyAttribute && !NOT_TYPED.has(attribute.Name))
    .map((attribute) => attribute.Name)
    .filter((name) => !present[name] && !skip.includes(name));
}

export function attributeField(name: string, value: string | undefined, error?: string): Field {
  return {
    name: `${FIELD_PREFIX}${name}`,
    label: attributeLabel(name),
    type: name === 'email' ? 'email' : name === 'phone_number' ? 'tel' : 'text',
    autocomplete: AUTOCOMPLETE[name] ?? 'off',
    value,
    error,
    hint: name === 'phone_number' ? 'International format, for example +14155550100.' : name === 'birthdate' ? 'YYYY-MM-DD' : undefined,
  };
}

/** The submitted values of `names` (empty ones left out). */
export function submittedAttributes(names: readonly string[], read: (field: string) => string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = read(`${FIELD_PREFIX}${name}`)?.trim();
    if (value) values[name] = value;
  }
  return values;
}
