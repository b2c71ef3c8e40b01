import { randomInt } from 'node:crypto';
import type { PasswordPolicy } from '../pools/pool-settings.ts';
import { InvalidPasswordException } from '../errors.ts';

/** Cognito's special characters for RequireSymbols (user-pool password policy documentation). */
const SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-';

/** Throws InvalidPasswordException naming the first rule the password breaks, as Cognito does. */
export function enforcePasswordPolicy(password: string, policy: PasswordPolicy): void {
  const failures: string[] = [];
  if ([...password].length < policy.MinimumLength) failures.push('Password not long enough');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) failures.push('Password must have lowercase characters');
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) failures.push('Password must have uppercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) failures.push('Password must have numeric characters');
  if (policy.RequireSymbols && ![...password].some((character) => SYMBOLS.includes(character))) failures.push('Password must have symbol characters');
  if (/^\s|\s$/.test(password)) failures.push('Password must not begin or end with whitespace');
  if (failures.length) throw new InvalidPasswordException(`Password did not conform with policy: ${failures[0]}`);
}

/** A temporary password that satisfies the policy (AdminCreateUser without TemporaryPassword). */
export function generateTemporaryPassword(policy: PasswordPolicy): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;
  const lower = 'abcdefghijkmnopqrstuvwxyz';
  const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const symbols = '!@#%&*-+=?';
  const characters = [pick(lower), pick(upper), pick(digits), pick(symbols)];
  const all = lower + upper + digits + symbols;
  while (characters.length < Math.max(policy.MinimumLength, 12)) characters.push(pick(all));
  for (let i = characters.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j]!, characters[i]!];
  }
  return characters.join('');
}
