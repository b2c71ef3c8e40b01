/**
 * Password hashing for stored credentials: Argon2id (RFC 9106) through @node-rs/argon2.
 *
 * Parameters follow the OWASP Password Storage Cheat Sheet's first Argon2id option:
 * m = 19456 KiB (19 MiB), t = 2 iterations, p = 1 lane. The PHC string records them, so
 * hashes made today stay verifiable if the policy is raised later.
 */
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum, which `isolatedModules` forbids reading at runtime;
// 2 is its documented `Argon2id` member.
const ARGON2ID = 2 as Algorithm;

const HASH_OPTIONS: Options = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * A fixed hash made with HASH_OPTIONS (of a throwaway password nobody uses), so a dummy check
 * costs exactly what a real verification costs without hashing anything at start-up.
 */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$Fd9SuyvxN8XR4KLwQluROg$98ghUmz1a/NMcluStcjjb1oE8hVccpnYKdson3U4HNc';

/** Hashes a password with Argon2id and a fresh random salt; returns the PHC string. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

/**
 * Checks a password against a stored PHC string. A malformed or unsupported hash is a failed
 * check, never an exception: a corrupt record must not turn a sign-in into a 500.
 */
export async function verifyPassword(phcHash: string, password: string): Promise<boolean> {
  try {
    return await verify(phcHash, password);
  } catch {
    return false;
  }
}

/**
 * Spends the time of one verification when the user does not exist, so response time does not
 * reveal which usernames are registered (Cognito's PreventUserExistenceErrors behaviour).
 */
export async function dummyPasswordCheck(password: string): Promise<void> {
  await verifyPassword(DUMMY_HASH, password);
}
