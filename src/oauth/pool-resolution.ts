import type { FastifyRequest } from 'fastify';
import type { EncryptedRecords } from '../crypto/encrypted-records.ts';
import { PoolMissing } from '../store/store.ts';
import { poolHasDomain, poolOfDomain, prefixDomainOfPool } from '../userpools/domains/domain-directory.ts';
import { loadPool } from '../userpools/pools/pool-directory.ts';
import { DOMAIN_ROUTE, isPrefixDomain } from '../userpools/domains/user-pool-domain.ts';
import type { UserPoolServices } from '../userpools/services.ts';

/**
 * Which user pool an OAuth 2.0 / hosted-page request is for. Cognito serves these endpoints on
 * the pool's domain (`https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token`, or a custom
 * domain); Meridian serves every pool of a region on one origin, in two URL shapes:
 *
 * (a) Path form, the default, on the region's own origin; the pool's discovery document
 *     advertises it:
 *       <publicUrl>/<prefix>/oauth2/token
 *       <publicUrl>/<prefix>/oauth2/authorize, <publicUrl>/<prefix>/login, ...
 *     e.g. `http://127.0.0.1:9000/my-app/oauth2/token`. Routes are registered as
 *     `/:domainPrefix/oauth2/token` (see `oauthRoutePaths`).
 *
 * (b) Host form, Cognito's shape, when the operator sets `--auth-domain` / MERIDIAN_AUTH_DOMAIN
 *     (e.g. `auth.example.com`) and points `*.auth.example.com` at the region:
 *       https://<prefix>.<authDomain>/oauth2/token
 *     and, for a pool's custom domain (CreateUserPoolDomain with CustomDomainConfig) aliased to
 *     the region:
 *       https://<custom domain>/oauth2/token
 *     Routes are registered without the prefix segment (`/oauth2/token`); the Host header names
 *     the domain.
 *
 * The domain only selects the pool: clients still authenticate against that pool, and tokens
 * carry the pool's issuer (`<publicUrl>/<poolId>`) whichever shape was used.
 */
export const DOMAIN_PREFIX_PARAM = 'domainPrefix';

export interface OAuthPool {
  poolId: string;
  /** The domain that named the pool: a prefix, or a custom domain's host name. */
  domain: string;
  /**
   * Base URL of the pool's OAuth endpoints as this request reached them, without a trailing
   * slash: `<publicUrl>/<prefix>` (path form) or `<scheme>://<host>` (host form). Endpoint URLs
   * are `${baseUrl}/oauth2/token`, `${baseUrl}/login`, ...
   */
  baseUrl: string;
  via: 'path' | 'host';
}

/**
 * Both route paths of an OAuth endpoint, e.g. `oauthRoutePaths('/oauth2/token')` =
 * `['/:domainPrefix/oauth2/token', '/oauth2/token']`. Register a handler on both and call
 * `resolveOAuthPool` in it.
 */
export function oauthRoutePaths(endpoint: string): [string, string] {
  return [`/:${DOMAIN_PREFIX_PARAM}${endpoint}`, endpoint];
}

/**
 * The pool a request on an OAuth route is for, or null when its domain does not exist (answer
 * 404). A request routed with the `:domainPrefix` parameter is the path form; one without it is
 * the host form, resolved from the Host header.
 */
export async function resolveOAuthPool(services: UserPoolServices, request: FastifyRequest): Promise<OAuthPool | null> {
  const named = domainOfRequest(services, request);
  if (!named) return null;
  const poolId = await poolOfDomain(services, named.domain);
  if (!poolId || !(await servesOAuth(services, poolId))) return null;
  return { poolId, ...named };
}

/**
 * resolveOAuthPool and a read view of the pool in one, for the token endpoint: the pool is the one
 * this process remembers the domain leads to (PoolVault rememberedPoolOfRoute), confirmed by the
 * pool's own domain record in the view, so a request costs one query (the view's pool version)
 * instead of two. A domain can move to another pool; when the record denies it, the route is
 * looked up again. Null when the domain names no pool that serves OAuth here (answer 404).
 */
export async function readOAuthPool<T>(
  services: UserPoolServices,
  request: FastifyRequest,
  work: (pool: OAuthPool, records: EncryptedRecords) => Promise<T>,
): Promise<{ value: T } | null> {
  const named = domainOfRequest(services, request);
  if (!named) return null;
  const lead = await services.vault.rememberedPoolOfRoute(DOMAIN_ROUTE, named.domain);
  if (lead === null) return null;
  const found = await readIfDomainOf(services, { poolId: lead, ...named }, work);
  if (found !== 'not-here') return found;
  services.vault.forgetRoute(DOMAIN_ROUTE, named.domain);
  const routed = await poolOfDomain(services, named.domain);
  if (routed === null || routed === lead) return null;
  const again = await readIfDomainOf(services, { poolId: routed, ...named }, work);
  return again === 'not-here' ? null : again;
}

/** `work` in a view of `pool` when its records declare the domain: 'not-here' when they do not, null when it does not serve OAuth here. */
async function readIfDomainOf<T>(
  services: UserPoolServices,
  pool: OAuthPool,
  work: (pool: OAuthPool, records: EncryptedRecords) => Promise<T>,
): Promise<{ value: T } | null | 'not-here'> {
  let declared = false;
  try {
    return await services.vault.read(pool.poolId, async (records) => {
      if (!(await poolHasDomain(records, pool.domain))) return 'not-here' as const;
      declared = true;
      if (!(await servesOAuth(services, pool.poolId))) return null;
      return { value: await work(pool, records) };
    });
  } catch (error) {
    // A pool deleted since its domain was remembered; an error of `work` itself is the answer.
    if (!declared && error instanceof PoolMissing) return 'not-here';
    throw error;
  }
}

/** A secondary replica serves its pool's OAuth endpoints only while ACTIVE, as it does sign-in. */
async function servesOAuth(services: UserPoolServices, poolId: string): Promise<boolean> {
  if (!services.replicas) return true;
  const status = await services.replicas.replicaStatus(poolId).catch(() => null);
  return status === null || status === 'ACTIVE';
}

/** The domain a request on an OAuth route names, and the base URL it reached the pool by; null when it can name none. */
function domainOfRequest(services: UserPoolServices, request: FastifyRequest): Omit<OAuthPool, 'poolId'> | null {
  const prefix = (request.params as Record<string, string | undefined> | undefined)?.[DOMAIN_PREFIX_PARAM];
  if (prefix !== undefined) {
    return isPrefixDomain(prefix) ? { domain: prefix, baseUrl: pathFormBaseUrl(services, prefix), via: 'path' } : null;
  }
  // The base URL goes into redirects (Location): only a plain host name and numeric port, so a
  // Host header such as `pool.auth.example.com:@evil.example` (whose name part finds the pool)
  // cannot send the browser elsewhere.
  if (!PLAIN_HOST.test(request.host)) return null;
  const domain = domainOfHost(services, request.hostname);
  return domain ? { domain, baseUrl: `${schemeOf(services)}//${request.host.toLowerCase()}`, via: 'host' } : null;
}

/** A DNS name with an optional numeric port: what the host form's base URL may be built from. */
const PLAIN_HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$/;

/**
 * Where a pool's OAuth endpoints are advertised (discovery's token_endpoint is
 * `${base}/oauth2/token`): the path form under its prefix domain; null when the pool has no
 * prefix domain, and so no OAuth endpoints on the region's origin.
 */
export async function poolOAuthBaseUrl(services: UserPoolServices, poolId: string): Promise<string | null> {
  const { prefix, global } = await services.vault.read(poolId, async (records) => ({
    prefix: await prefixDomainOfPool(records),
    global: (await loadPool(records)).settings.IssuerConfiguration?.Type === 'UPDATED',
  }));
  if (!prefix) return null;
  // A multi-region pool (UPDATED issuer) advertises the same document in every region: its
  // endpoints under the global URL, which the failover router sends to a region that serves.
  return global && services.globalIssuerUrl ? `${services.globalIssuerUrl.replace(/\/$/, '')}/${prefix}` : pathFormBaseUrl(services, prefix);
}

export function pathFormBaseUrl(services: UserPoolServices, prefix: string): string {
  return `${services.publicUrl}/${prefix}`;
}

/**
 * The domain a host name names: `<prefix>` for `<prefix>.<authDomain>` (one label only), otherwise
 * the host name itself as a possible custom domain. Null for a host that cannot be either, such
 * as the region's own address.
 */
export function domainOfHost(services: Pick<UserPoolServices, 'authDomain'>, hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const parent = services.authDomain?.toLowerCase();
  if (parent && host.endsWith(`.${parent}`)) {
    const label = host.slice(0, -parent.length - 1);
    return isPrefixDomain(label) ? label : null;
  }
  return host.includes('.') && !/^[\d.]+$/.test(host) ? host : null;
}

function schemeOf(services: UserPoolServices): string {
  try {
    return new URL(services.publicUrl).protocol;
  } catch {
    return 'http:';
  }
}
