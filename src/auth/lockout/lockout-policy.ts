/**
 * Sign-in lockout as Cognito documents it: after five failed attempts the user is locked out
 * temporarily, starting at one second and doubling with each further failure, up to about fifteen
 * minutes. A success resets the count. Counters are region-local (never replicated): each region
 * protects itself, and an attacker gains nothing by spreading guesses, since each region's limit
 * applies in full.
 */
export const FREE_ATTEMPTS = 5;
export const FIRST_LOCKOUT_MS = 1_000;
export const MAXIMUM_LOCKOUT_MS = 15 * 60 * 1_000;

export interface LockoutState {
  failures: number;
  lockedUntil: number;
}

export const NO_FAILURES: LockoutState = { failures: 0, lockedUntil: 0 };

export function isLockedOut(state: LockoutState, now: number): boolean {
  return state.lockedUntil > now;
}

/** The state after one more failed attempt at `now`. */
export function recordFailure(state: LockoutState, now: number): LockoutState {
  const failures = state.failures + 1;
  if (failures < FREE_ATTEMPTS) return { failures, lockedUntil: 0 };
  const lockout = Math.min(FIRST_LOCKOUT_MS * 2 ** (failures - FREE_ATTEMPTS), MAXIMUM_LOCKOUT_MS);
  return { failures, lockedUntil: now + lockout };
}
