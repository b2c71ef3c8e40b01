import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { PoolMissing, UniqueIndexViolation } from '../../store/store.ts';
import { FeatureUnavailableInTierException, InvalidParameterException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import {
  customDomainProblem,
  DOMAIN_RECORD_IDS,
  DOMAIN_ROUTE,
  domainTypeOf,
  prefixProblem,
  toDomainDescription,
  USER_POOL_DOMAIN_RECORD_KIND,
  type CustomDomainConfig,
  type DomainType,
  type UserPoolDomainRecord,
} from './user-pool-domain.ts';

export interface NewDomain {
  domain: string;
  customDomainConfig?: CustomDomainConfig;
  managedLoginVersion?: number;
  /** Failover routing between replicas (RoutingType); not available yet, refused when given. */
  routing?: unknown;
}

/** What Create/UpdateUserPoolDomain answer. */
export interface DomainResult {
  ManagedLoginVersion: number;
  CloudFrontDomain?: string;
}

/**
 * CreateUserPoolDomain: a custom domain when CustomDomainConfig is given, otherwise a prefix
 * domain. A pool has at most one of each, and a domain belongs to one pool in the whole region
 * (the route is unique region-wide).
 */
export async function createDomain(services: UserPoolServices, poolId: string, input: NewDomain): Promise<DomainResult> {
  const type: DomainType = input.customDomainConfig ? 'custom' : 'prefix';
  const problem = type === 'custom' ? customDomainProblem(input.domain) : prefixProblem(input.domain);
  if (problem) throw new InvalidParameterException(problem);
  refuseRouting(input.routing);
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      const version = input.managedLoginVersion ?? 1;
      checkManagedLoginVersion(pool, version);
      if (await records.get(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[type])) {
        throw new InvalidParameterException(type === 'custom' ? 'User pool already has a custom domain configured.' : 'User pool already has a domain configured.');
      }
      const now = services.now();
      const record: UserPoolDomainRecord = { domain: input.domain, type, managedLoginVersion: version, customDomainConfig: input.customDomainConfig, createdAt: now, modifiedAt: now };
      await saveDomain(records, record);
      return resultOf(services, record);
    }),
  );
}

/**
 * DescribeUserPoolDomain names only the domain; its route leads to the pool. Like Cognito, a
 * domain that does not exist is not an error: the answer is an empty DomainDescription.
 */
export async function describeDomain(services: UserPoolServices, domain: string): Promise<Record<string, unknown>> {
  const found = await findDomain(services, domain);
  return found ? toDomainDescription(found.poolId, services.accountId, found.record, aliasTarget(services)) : {};
}

/**
 * The pool a domain (prefix or custom host name) belongs to, or null: the route alone, for the hot
 * path of OAuth requests. Routes are written and deleted with their record in one transaction, so
 * a route exists exactly while its domain does.
 */
export async function poolOfDomain(services: UserPoolServices, domain: string): Promise<string | null> {
  return services.vault.findPoolByRoute(DOMAIN_ROUTE, domain);
}

/** The pool a domain (prefix or custom host name) belongs to, with its record; null when none. */
export async function findDomain(services: UserPoolServices, domain: string): Promise<{ poolId: string; record: UserPoolDomainRecord } | null> {
  const poolId = await services.vault.findPoolByRoute(DOMAIN_ROUTE, domain);
  if (!poolId) return null;
  try {
    const record = await services.vault.read(poolId, (records) => records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[domainTypeOf(domain)]));
    return record && record.domain === domain ? { poolId, record } : null;
  } catch (error) {
    // Deleted between the route lookup and the read: the domain is gone with its pool.
    if (error instanceof PoolMissing) return null;
    throw error;
  }
}

/**
 * UpdateUserPoolDomain: the managed login version (kept when left out) and, for a custom domain,
 * its certificate.
 */
export async function updateDomain(services: UserPoolServices, poolId: string, input: NewDomain): Promise<DomainResult> {
  refuseRouting(input.routing);
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      const current = await requireDomainOfPool(records, input.domain);
      if (input.customDomainConfig && current.type === 'prefix') {
        throw new InvalidParameterException('CustomDomainConfig applies only to custom domains; this is a prefix domain.');
      }
      const version = input.managedLoginVersion ?? current.managedLoginVersion;
      checkManagedLoginVersion(pool, version);
      const updated: UserPoolDomainRecord = {
        ...current,
        managedLoginVersion: version,
        customDomainConfig: input.customDomainConfig ?? current.customDomainConfig,
        modifiedAt: services.now(),
      };
      await saveDomain(records, updated);
      return resultOf(services, updated);
    }),
  );
}

export async function deleteDomain(services: UserPoolServices, poolId: string, domain: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      await loadPool(records);
      const current = await requireDomainOfPool(records, domain);
      await records.delete(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[current.type]);
    }),
  );
}

/** The Domain and CustomDomain members of DescribeUserPool's UserPoolType, from the open pool's records. */
export async function poolDomainFields(records: EncryptedRecords): Promise<{ Domain?: string; CustomDomain?: string }> {
  const [prefix, custom] = await Promise.all([
    records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS.prefix),
    records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS.custom),
  ]);
  return { ...(prefix ? { Domain: prefix.domain } : {}), ...(custom ? { CustomDomain: custom.domain } : {}) };
}

/** The pool's prefix domain, or null: what the OAuth endpoints of the region's own origin are named by. */
export async function prefixDomainOfPool(records: EncryptedRecords): Promise<string | null> {
  return (await records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS.prefix))?.domain ?? null;
}

/** Whether the open pool's own domain record, the one that carries the domain's route, is `domain`. */
export async function poolHasDomain(records: EncryptedRecords, domain: string): Promise<boolean> {
  return (await records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[domainTypeOf(domain)]))?.domain === domain;
}

async function requireDomainOfPool(records: EncryptedRecords, domain: string): Promise<UserPoolDomainRecord> {
  const record = await records.get<UserPoolDomainRecord>(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[domainTypeOf(domain)]);
  // Cognito's answer for a domain that is not this pool's, whether it exists elsewhere or not.
  if (!record || record.domain !== domain) throw new InvalidParameterException('No such domain or user pool exists.');
  return record;
}

/** Every write carries the route, since a put replaces the record's indexes. */
async function saveDomain(records: EncryptedRecords, domain: UserPoolDomainRecord): Promise<void> {
  try {
    await records.put(USER_POOL_DOMAIN_RECORD_KIND, DOMAIN_RECORD_IDS[domain.type], domain, [{ name: DOMAIN_ROUTE, value: domain.domain, route: true }]);
  } catch (error) {
    if (error instanceof UniqueIndexViolation) throw new InvalidParameterException('Domain already associated with another user pool.');
    throw error;
  }
}

/** "Managed login requires that your user pool be configured for any feature plan other than Lite." */
function checkManagedLoginVersion(pool: UserPoolRecord, version: number): void {
  if (version === 2 && (pool.settings.UserPoolTier ?? 'ESSENTIALS') === 'LITE') {
    throw new FeatureUnavailableInTierException('Managed login (ManagedLoginVersion 2) requires the ESSENTIALS or PLUS feature plan.');
  }
}

/** Failover routing needs replicas and health checks, which this region does not have yet: refuse rather than ignore. */
function refuseRouting(routing: unknown): void {
  if (routing !== undefined) throw new InvalidParameterException('Routing (failover between user pool replicas) is not available yet.');
}

function resultOf(services: UserPoolServices, domain: UserPoolDomainRecord): DomainResult {
  return { ManagedLoginVersion: domain.managedLoginVersion, ...(domain.type === 'custom' ? { CloudFrontDomain: aliasTarget(services) } : {}) };
}

/** The host a custom domain's DNS alias points to: the region's own public host name. */
function aliasTarget(services: UserPoolServices): string {
  try {
    return new URL(services.publicUrl).hostname;
  } catch {
    return services.region;
  }
}
