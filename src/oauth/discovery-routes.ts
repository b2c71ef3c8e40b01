import type { FastifyInstance } from 'fastify';
import { PoolMissing } from '../store/store.ts';
import type { SigningKeyCache } from '../auth/tokens/signing-key-cache.ts';

const POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;

export interface DiscoveryOptions {
  signingKeys: SigningKeyCache;
  /** The issuer of a pool's tokens, e.g. `<public URL>/<poolId>`. */
  issuerOf(poolId: string): string;
}

/**
 * `/<poolId>/.well-known/jwks.json` and `/<poolId>/.well-known/openid-configuration`, where
 * Cognito serves them (under the issuer). Every region holds the pool's signing keys as records,
 * so every region publishes the same JWKS.
 */
export function registerDiscoveryRoutes(app: FastifyInstance, options: DiscoveryOptions): void {
  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (request, reply) => {
    const keys = await loadKeys(options, request.params.poolId);
    if (!keys) return reply.status(404).send({ error: 'not_found', error_description: 'User pool does not exist.' });
    return reply.header('cache-control', 'public, max-age=300').send(keys.jwks);
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (request, reply) => {
    const { poolId } = request.params;
    if (!(await loadKeys(options, poolId))) return reply.status(404).send({ error: 'not_found', error_description: 'User pool does not exist.' });
    const issuer = options.issuerOf(poolId);
    return reply.send({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code', 'token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'cognito:username', 'cognito:groups'],
    });
  });
}

async function loadKeys(options: DiscoveryOptions, poolId: string) {
  if (!POOL_ID_PATTERN.test(poolId)) return null;
  try {
    return await options.signingKeys.keysFor(poolId);
  } catch (error) {
    if (error instanceof PoolMissing) return null;
    throw error;
  }
}
