import { randomUUID } from 'node:crypto';

/**
 * The claims of a client_credentials access token as Meridian issues them, for what bench/oauth
 * compares the server with (the signing floor, the bare route): the same claims, so the same bytes
 * to encode and sign.
 */
export function m2mAccessClaims(clientId: string, scope: string, issuer: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: clientId, token_use: 'access', scope, auth_time: now, jti: randomUUID(), client_id: clientId, version: 2, iss: issuer, iat: now, exp: now + 3600 };
}
