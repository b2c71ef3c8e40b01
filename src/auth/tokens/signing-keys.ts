import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

/** Record kind of a pool's token signing keys (id = kid). Pool records: they replicate, so every region signs and verifies alike. */
export const SIGNING_KEY_KIND = 'signing-key';

export type SigningKeyUse = 'id' | 'access';

/** A signing key as stored (inside an encrypted record). */
export interface SigningKeyRecord {
  kid: string;
  use: SigningKeyUse;
  /** PKCS#8 PEM; only ever at rest inside the pool's encrypted record. */
  privateKeyPem: string;
  createdAt: number;
}

export interface PublicJwk {
  kid: string;
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

/** Loaded keys of one pool: private keys by use, public keys by kid. */
export interface PoolSigningKeys {
  signing: Record<SigningKeyUse, { kid: string; privateKey: KeyObject }>;
  verifying: Map<string, KeyObject>;
  jwks: { keys: PublicJwk[] };
}

const generateRsa = promisify(generateKeyPair);

/**
 * Two RSA-2048 keys per pool, one for ID tokens and one for access tokens, as Cognito publishes
 * (COGNITO-FACTS "Tokens"). Generated off the event loop (libuv thread pool).
 */
export async function generateSigningKeys(now: number): Promise<SigningKeyRecord[]> {
  return Promise.all(
    (['id', 'access'] as const).map(async (use) => {
      const { privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
      return { kid: randomUUID(), use, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), createdAt: now };
    }),
  );
}

/**
 * A pool whose records lack a signing key for ID or access tokens. Keys are written in the same
 * transaction as the pool, so this is a fault of the service (records lost or tampered with, a
 * replica read before its copy is complete), never of the caller: each protocol answers it as a
 * logged server error.
 */
export class SigningKeysMissing extends Error {
  constructor(readonly poolId: string, readonly missing: SigningKeyUse[]) {
    super(`pool ${poolId} has no signing key for ${missing.join(' and ')} tokens`);
    this.name = 'SigningKeysMissing';
  }
}

/** Turns stored records into usable keys; the newest key of each use signs, all verify. */
export function loadSigningKeys(poolId: string, records: SigningKeyRecord[]): PoolSigningKeys {
  const sorted = [...records].sort((a, b) => b.createdAt - a.createdAt);
  const verifying = new Map<string, KeyObject>();
  const jwks: PublicJwk[] = [];
  const signing: Partial<PoolSigningKeys['signing']> = {};
  for (const record of sorted) {
    const privateKey = createPrivateKey(record.privateKeyPem);
    const publicKey = createPublicKey(privateKey);
    verifying.set(record.kid, publicKey);
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    jwks.push({ kid: record.kid, kty: 'RSA', alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e });
    signing[record.use] ??= { kid: record.kid, privateKey };
  }
  const missing = (['id', 'access'] as const).filter((use) => !signing[use]);
  if (missing.length > 0) throw new SigningKeysMissing(poolId, missing);
  return { signing: signing as PoolSigningKeys['signing'], verifying, jwks: { keys: jwks } };
}
