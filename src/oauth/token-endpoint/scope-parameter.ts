import { InvalidScope } from '../oauth-errors.ts';

/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) (RFC 6749 §3.3). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The `scope` parameter as a list of distinct scope tokens in request order: space-delimited and
 * case-sensitive (RFC 6749 §3.3). Null when the parameter is absent or names no scope; an
 * invalid token is invalid_scope.
 */
export function parseScopeParameter(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const tokens = value.split(' ').filter((token) => token !== '');
  for (const token of tokens) if (!SCOPE_TOKEN.test(token)) throw new InvalidScope('The scope parameter contains characters RFC 6749 does not allow in a scope.');
  return tokens.length > 0 ? [...new Set(tokens)] : null;
}
