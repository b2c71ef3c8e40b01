import { hkdfSync } from 'node:crypto';

/**
 * Keys derived from one pool's data key. Separate keys for record encryption and blind indexes so
 * that the HMAC used for lookups never shares a key with AES-GCM (key separation, NIST SP 800-108).
 * Derivation is deterministic, so every region holding the same data key derives the same keys and
 * replicated index digests match.
 */
export interface PoolKeys {
  recordKey: Buffer;
  indexKey: Buffer;
  /** Key for pool-scoped secrets sealed outside records (refresh tokens, pagination tokens). */
  tokenKey: Buffer;
}

export function derivePoolKeys(dataKey: Buffer, poolId: string): PoolKeys {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(poolId), `meridian/${purpose}/v1`, 32));
  return { recordKey: derive('records'), indexKey: derive('blind-index'), tokenKey: derive('tokens') };
}
