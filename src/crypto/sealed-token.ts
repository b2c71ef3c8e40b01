import { DecryptionFailed, openAesGcm, sealAesGcm } from './aes-gcm.ts';

/**
 * Opaque tokens the server hands out and later takes back (refresh tokens, challenge sessions):
 * JSON sealed with AES-256-GCM under the pool's token key, with the purpose and pool as AAD so a
 * challenge session can never be replayed as a refresh token or in another pool. Self-contained:
 * no store write per token, and any region holding the pool's data key can open it.
 */
export function sealToken(tokenKey: Buffer, purpose: string, poolId: string, payload: unknown): string {
  return sealAesGcm(tokenKey, Buffer.from(JSON.stringify(payload)), additionalData(purpose, poolId)).toString('base64url');
}

/** Returns null for anything that does not open: wrong pool, wrong purpose, tampered, garbage. */
export function openToken<T>(tokenKey: Buffer, purpose: string, poolId: string, token: string): T | null {
  try {
    return JSON.parse(openAesGcm(tokenKey, Buffer.from(token, 'base64url'), additionalData(purpose, poolId)).toString('utf8')) as T;
  } catch (error) {
    if (error instanceof DecryptionFailed || error instanceof SyntaxError) return null;
    throw error;
  }
}

function additionalData(purpose: string, poolId: string): Buffer {
  return Buffer.from(`meridian/token/v1\u0000${purpose}\u0000${poolId}`);
}
