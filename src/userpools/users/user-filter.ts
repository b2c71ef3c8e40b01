import { InvalidParameterException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserRecord } from './user-record.ts';

/**
 * The attributes ListUsers can search (Cognito API reference, ListUsers `Filter`): custom
 * attributes are not searchable. `cognito:user_status` is the UserStatus (CONFIRMED, ...) and
 * `status` is Enabled/Disabled.
 */
export const SEARCHABLE_ATTRIBUTES = [
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
] as const;

export type SearchableAttribute = (typeof SEARCHABLE_ATTRIBUTES)[number];

/** `=` is an exact match, `^=` a prefix ("starts with") match. */
export type FilterOperator = '=' | '^=';

export interface UserFilter {
  attribute: SearchableAttribute;
  operator: FilterOperator;
  /** The value with its backslash escapes removed. */
  value: string;
}

/** Cognito's own message for any filter it cannot read (seen in AWS SDK issue reports). */
const PARSE_ERROR = 'Error while parsing filter.';

/**
 * `AttributeName Filter-Type "AttributeValue"`: whitespace around the operator is optional, the
 * value must be double-quoted, and a backslash escapes the next character (so `\"` is a quote
 * and `\\` a backslash). Only one attribute per filter: anything after the closing quote is an
 * error.
 */
const FILTER_PATTERN = /^\s*([A-Za-z_:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/su;

/**
 * Parses a ListUsers filter. An empty (or blank) filter means "every user" and yields null;
 * anything malformed, and any attribute Cognito does not search, is InvalidParameterException.
 */
export function parseUserFilter(text: string | undefined): UserFilter | null {
  if (text === undefined || text.trim() === '') return null;
  const match = FILTER_PATTERN.exec(text);
  if (!match) throw new InvalidParameterException(PARSE_ERROR);
  const [, attribute = '', operator = '', quoted = ''] = match;
  if (!(SEARCHABLE_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw new InvalidParameterException(`${PARSE_ERROR} Attribute ${attribute} is not searchable.`);
  }
  return { attribute: attribute as SearchableAttribute, operator: operator as FilterOperator, value: quoted.replace(/\\(.)/gsu, '$1') };
}

/**
 * Whether matching on `attribute` ignores case. The ListUsers reference marks `username` and
 * `status` case-sensitive and `cognito:user_status` case-insensitive and says nothing of the
 * rest. Names and emails are matched case-insensitively here, like the blind-index lookups that
 * serve their exact matches (normalizeAttribute); phone numbers (digits) and subs (generated
 * lower-case UUIDs) exactly, as they are indexed. Usernames follow the pool's
 * UsernameConfiguration: in a case-insensitive pool "Alice" and "alice" are one user for every
 * other action, so a filter that told them apart would disagree with AdminGetUser.
 */
export function ignoresCase(pool: UserPoolRecord, attribute: SearchableAttribute): boolean {
  if (attribute === 'username') return !pool.usernameCaseSensitive;
  if (attribute === 'status') return false;
  if (attribute === 'phone_number' || attribute === 'sub') return false;
  return true;
}

/** The value a filter compares for this user, or undefined when the user has none. */
export function filterValueOf(user: UserRecord, attribute: SearchableAttribute): string | undefined {
  switch (attribute) {
    case 'username':
      return user.username;
    case 'sub':
      return user.sub;
    case 'cognito:user_status':
      return user.status;
    case 'status':
      return user.enabled ? 'Enabled' : 'Disabled';
    default:
      return user.attributes[attribute];
  }
}

export function matchesUserFilter(pool: UserPoolRecord, filter: UserFilter, user: UserRecord): boolean {
  const actual = filterValueOf(user, filter.attribute);
  if (actual === undefined) return false;
  const fold = ignoresCase(pool, filter.attribute) ? (text: string) => text.toLowerCase() : (text: string) => text;
  const [candidate, wanted] = [fold(actual), fold(filter.value)];
  return filter.operator === '=' ? candidate === wanted : candidate.startsWith(wanted);
}
