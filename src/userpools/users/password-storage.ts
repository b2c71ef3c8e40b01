import { hashPassword } from '../../auth/passwords/password-hash.ts';
import { createSrpVerifier } from '../../auth/passwords/srp.ts';
import type { StoredPassword } from './user-record.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Turns a password into what is stored: a slow hash plus an SRP verifier bound to the pool name
 * and the username (Cognito's x = H(salt | H(poolName | username | ":" | password))). Done before
 * any store transaction opens, since Argon2id is deliberately slow.
 */
export async function storePassword(
  poolId: string,
  username: string,
  password: string,
  options: { temporary: boolean; validityDays: number; now: number },
): Promise<StoredPassword> {
  const poolName = poolId.slice(poolId.indexOf('_') + 1);
  const [hash, srp] = await Promise.all([hashPassword(password), Promise.resolve(createSrpVerifier(poolName, username, password))]);
  return {
    hash,
    srpSalt: srp.salt,
    srpVerifier: srp.verifier,
    setAt: options.now,
    temporary: options.temporary,
    ...(options.temporary ? { expiresAt: options.now + options.validityDays * DAY_MS } : {}),
  };
}
