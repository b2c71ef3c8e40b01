import type { FastifyInstance, FastifyReply } from 'fastify';
import { PoolMissing } from '../store/store.ts';
import type { SigningKeyCache } from '../auth/tokens/signing-key-cache.ts';
import { SigningKeysMissing } from '../auth/tokens/signing-keys.ts';
import { USER_POOL_ID_PATTERN } from '../userpools/shared/identifiers.ts';
import { allowCrossOrigin } from '../wire/cross-origin.ts';

export interface DiscoveryOptions {
  signingKeys: SigningKeyCache;
  /** The issuer of a pool's tokens, e.g. `<public URL>/<poolId>`. */
  issuerOf(poolId: string): Promise<string>;
  /**
   * Base URL of the pool's OAuth endpoints (`<publicUrl>/<prefix>`, the path form of its prefix
   * domain), or null when it has no domain and so no endpoints to advertise.
   */
  oauthBaseUrl?(poolId: string): Promise<string | null>;
}

/**
 * `/<poolId>/.well-known/jwks.json` and `/<poolId>/.well-known/openid-configuration`, where
 * Cognito serves them (under the issuer). Every region holds the pool's signing keys as records,
 * so every region publishes the same JWKS.
 */
export function registerDiscoveryRoutes(app: FastifyInstance, options: DiscoveryOptions): void {
  app.register(async (scope) => {
    allowCrossOrigin(scope, { methods: ['GET'] });
    scope.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (request, reply) => {
      const keys = await loadKeys(options, request.params.poolId);
      if (keys === UNAVAILABLE) return keysUnavailable(reply);
      if (!keys) return reply.status(404).send({ error: 'not_found', error_description: 'User pool does not exist.' });
      return reply.header('cache-control', 'public, max-age=300').send(keys.jwks);
    });

    scope.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (request, reply) => {
      const { poolId } = request.params;
      const keys = await loadKeys(options, poolId);
      if (keys === UNAVAILABLE) return keysUnavailable(reply);
      if (!keys) return reply.status(404).send({ error: 'not_found', error_description: 'User pool does not exist.' });
      const issuer = await options.issuerOf(poolId);
      const base = (await options.oauthBaseUrl?.(poolId)) ?? null;
      return reply.send({
        issuer,
        ...(base ? endpointsOf(base) : {}),
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        response_types_supported: ['code', 'token'],
        grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'email', 'phone', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'cognito:username', 'cognito:groups'],
      });
    });
  });
}

/**
 * The OAuth endpoints in the path form on the region's origin (src/oauth/pool-resolution.ts):
 * the issuer stays `<publicUrl>/<poolId>`, the endpoints live under the pool's prefix domain.
 */
function endpointsOf(base: string): Record<string, string> {
  return {
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/logout`,
  };
}

const UNAVAILABLE = Symbol('signing keys unavailable');

/**
 * The pool's keys; null when there is no such pool; UNAVAILABLE when the pool exists without its
 * signing keys (a secondary replica whose copy has not reached them yet), which is a 503 to come
 * back later, not a server crash.
 */
async function loadKeys(options: DiscoveryOptions, poolId: string) {
  if (!USER_POOL_ID_PATTERN.test(poolId)) return null;
  try {
    return await options.signingKeys.keysFor(poolId);
  } catch (error) {
    if (error instanceof PoolMissing) return null;
    if (error instanceof SigningKeysMissing) return UNAVAILABLE;
    throw error;
  }
}

function keysUnavailable(reply: FastifyReply): FastifyReply {
  return reply
    .status(503)
    .header('retry-after', '5')
    .header('cache-control', 'no-store')
    .send({ error: 'temporarily_unavailable', error_description: "The user pool's signing keys are not available here yet." });
}
