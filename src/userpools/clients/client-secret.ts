import { hash, timingSafeEqual } from 'node:crypto';

/**
 * The one comparison of a presented app-client secret with the stored one, for every protocol
 * that takes a client secret (RevokeToken's ClientSecret, the OAuth endpoints' client
 * authentication). Both sides are hashed to 32 bytes first, so the time taken depends neither on
 * where they differ nor on their lengths: a length check before `timingSafeEqual` would tell a
 * caller how long the secret is.
 */
export function secretsEqual(expected: string, given: string): boolean {
  // One-shot hashes: no Hash object per side on the token endpoint's path.
  return timingSafeEqual(hash('sha256', expected, 'buffer'), hash('sha256', given, 'buffer'));
}
