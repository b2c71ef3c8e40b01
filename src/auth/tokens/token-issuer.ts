import { randomUUID } from 'node:crypto';
import { claimValue } from './attribute-claims.ts';
import { signRs256Jwt } from './compact-jws.ts';
import type { PoolSigningKeys } from './signing-keys.ts';

/** Who the tokens are for, as the user pool knows them. */
export interface TokenUser {
  sub: string;
  username: string;
  /** User attributes (email, custom:*, ...) that go into the ID token. */
  attributes: Record<string, string>;
  groups: string[];
}

export interface TokenRequest {
  issuer: string;
  clientId: string;
  user: TokenUser;
  /** Epoch seconds of the original sign-in; kept across refreshes. */
  authTime: number;
  /** jti of the sign-in session: shared by every token refreshed from it, used for revocation. */
  originJti: string;
  scope: string;
  idTokenSeconds: number;
  accessTokenSeconds: number;
  nonce?: string;
  now: number;
}

export interface IssuedTokens {
  idToken: string;
  accessToken: string;
  accessTokenJti: string;
}

/** Attributes that are never copied into ID tokens (internal or not user-facing). */
const ATTRIBUTES_NOT_IN_ID_TOKEN = new Set(['sub']);

/**
 * Signs an ID token and an access token with Cognito's claims (COGNITO-FACTS "Tokens"), RS256
 * with the pool's current keys. The access token carries no personal attributes beyond username.
 */
export async function issueTokens(keys: PoolSigningKeys, request: TokenRequest): Promise<IssuedTokens> {
  const iat = Math.floor(request.now / 1000);
  const eventId = randomUUID();
  const groups = request.user.groups.length ? { 'cognito:groups': request.user.groups } : {};

  const idClaims: Record<string, unknown> = { sub: request.user.sub, ...groups };
  for (const [name, value] of Object.entries(request.user.attributes)) {
    if (!ATTRIBUTES_NOT_IN_ID_TOKEN.has(name)) idClaims[name] = claimValue(name, value);
  }
  Object.assign(idClaims, {
    'cognito:username': request.user.username,
    origin_jti: request.originJti,
    aud: request.clientId,
    event_id: eventId,
    token_use: 'id',
    auth_time: request.authTime,
    jti: randomUUID(),
    ...(request.nonce ? { nonce: request.nonce } : {}),
  });
  const accessTokenJti = randomUUID();
  const accessClaims = {
    sub: request.user.sub,
    ...groups,
    client_id: request.clientId,
    origin_jti: request.originJti,
    event_id: eventId,
    token_use: 'access',
    scope: request.scope,
    auth_time: request.authTime,
    jti: accessTokenJti,
    username: request.user.username,
  };
  const [idToken, accessToken] = await Promise.all([
    sign(keys.signing.id, idClaims, request.issuer, iat, request.idTokenSeconds),
    sign(keys.signing.access, accessClaims, request.issuer, iat, request.accessTokenSeconds),
  ]);
  return { idToken, accessToken, accessTokenJti };
}

/** An access token for a machine client (client_credentials): no user, custom scopes only. */
export async function issueClientAccessToken(
  keys: PoolSigningKeys,
  request: { issuer: string; clientId: string; scope: string; seconds: number; now: number },
): Promise<string> {
  const iat = Math.floor(request.now / 1000);
  return sign(
    keys.signing.access,
    { sub: request.clientId, token_use: 'access', scope: request.scope, auth_time: iat, jti: randomUUID(), client_id: request.clientId, version: 2 },
    request.issuer,
    iat,
    request.seconds,
  );
}

function sign(key: PoolSigningKeys['signing']['id'], claims: Record<string, unknown>, issuer: string, iat: number, lifetimeSeconds: number): Promise<string> {
  return signRs256Jwt(key.privateKey, key.kid, { ...claims, iss: issuer, iat, exp: iat + lifetimeSeconds });
}
