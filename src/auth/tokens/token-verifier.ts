import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { PoolSigningKeys } from './signing-keys.ts';

export type TokenProblem = 'invalid' | 'expired';

/** Why a token was refused; callers turn it into their protocol's error. */
export class TokenRejected extends Error {
  constructor(readonly problem: TokenProblem, detail: string) {
    super(detail);
    this.name = 'TokenRejected';
  }
}

/**
 * Verifies a pool token: RS256 only (so `alg: none` and HMAC-with-public-key tricks fail), a kid
 * the pool published, one of the accepted issuers, not expired, and the expected token_use.
 */
export async function verifyPoolToken(
  token: string,
  keys: PoolSigningKeys,
  expected: { issuers: string[]; tokenUse: 'id' | 'access'; now: number },
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? keys.verifying.get(header.kid) : undefined;
        if (!key) throw new TokenRejected('invalid', 'unknown signing key');
        return key;
      },
      { algorithms: ['RS256'], issuer: expected.issuers, currentDate: new Date(expected.now), requiredClaims: ['exp', 'iat', 'sub'] },
    );
    if (payload.token_use !== expected.tokenUse) throw new TokenRejected('invalid', `token_use is not ${expected.tokenUse}`);
    return payload;
  } catch (error) {
    if (error instanceof TokenRejected) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenRejected('expired', 'token has expired');
    throw new TokenRejected('invalid', 'token failed verification');
  }
}
