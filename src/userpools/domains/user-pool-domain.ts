import { z } from 'zod';
import { userPoolIdShape } from '../shared/input-shapes.ts';

/**
 * User pool domains (Cognito API reference, CreateUserPoolDomain and DomainDescriptionType): a
 * prefix domain (`myprefix`, which Cognito serves as `myprefix.auth.<region>.amazoncognito.com`)
 * or a custom domain (`auth.example.com`, with a certificate). A pool has at most one of each.
 * Both are pool records (they replicate) with a region-wide route from the domain to the pool,
 * so an OAuth request that names only the domain finds its pool (src/oauth/pool-resolution.ts).
 */
export const USER_POOL_DOMAIN_RECORD_KIND = 'user-pool-domain';

/**
 * Route name of domains. Prefixes never contain a dot and custom domains always do, so both kinds
 * share the route without colliding; the value is the domain exactly as stored (lower case).
 */
export const DOMAIN_ROUTE = 'domain';

export type DomainType = 'prefix' | 'custom';

/** Record ids: one record of each type per pool, so "one prefix domain per pool" is the record id. */
export const DOMAIN_RECORD_IDS: Record<DomainType, string> = { prefix: 'prefix', custom: 'custom' };

export interface CustomDomainConfig {
  CertificateArn: string;
  SecurityPolicy?: 'TLS_V1' | 'TLS_V1_2_2021' | 'TLS_V1_3_2025';
}

export interface UserPoolDomainRecord {
  domain: string;
  type: DomainType;
  /** 1 = hosted UI (classic), 2 = managed login. */
  managedLoginVersion: number;
  customDomainConfig?: CustomDomainConfig;
  createdAt: number;
  modifiedAt: number;
}

/** The pattern of the API reference's Domain member: one DNS label of lower-case letters, digits and hyphens. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** "You can't use the text aws, amazon, or cognito in the domain prefix" (developer guide, "Using the Amazon Cognito prefix domain"). */
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'] as const;

/** Accepts any case and surrounding dots loosely enough to answer with Cognito's own errors. */
export const domainShape = z.string().min(1).max(253);
export const customDomainConfigShape = z.object({
  CertificateArn: z
    .string()
    .min(20)
    .max(2048)
    .regex(/^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:[\w+=/,.@-]*:[0-9]*:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/, 'Member must satisfy the ARN pattern'),
  SecurityPolicy: z.enum(['TLS_V1', 'TLS_V1_2_2021', 'TLS_V1_3_2025']).optional(),
});
export const managedLoginVersionShape = z.number().int().min(1).max(2);

/** Why a prefix is refused, or null when it is a valid prefix domain. */
export function prefixProblem(prefix: string): string | null {
  if (prefix.length > 63 || !LABEL.test(prefix)) {
    return 'Domain prefix must be 1 to 63 lower-case letters, digits and hyphens, and cannot start or end with a hyphen.';
  }
  const reserved = RESERVED_WORDS.find((word) => prefix.includes(word));
  return reserved ? `Domain prefix cannot contain the reserved word ${reserved}.` : null;
}

export function isPrefixDomain(domain: string): boolean {
  return prefixProblem(domain) === null;
}

/** Why a custom domain name is refused, or null: a fully qualified name of at least two valid labels. */
export function customDomainProblem(domain: string): string | null {
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return 'A custom domain must be a fully qualified domain name such as auth.example.com.';
  }
  return null;
}

/** The record id a domain name would be stored under: custom domains have dots, prefixes none. */
export function domainTypeOf(domain: string): DomainType {
  return domain.includes('.') ? 'custom' : 'prefix';
}

/**
 * The DomainDescriptionType of DescribeUserPoolDomain. `aliasTarget` is what Cognito reports as the
 * CloudFront distribution of a custom domain: the host the custom domain's DNS alias must point
 * to, which for Meridian is the region itself.
 */
export function toDomainDescription(poolId: string, accountId: string, domain: UserPoolDomainRecord, aliasTarget: string): Record<string, unknown> {
  return {
    UserPoolId: poolId,
    AWSAccountId: accountId,
    Domain: domain.domain,
    ...(domain.type === 'custom' ? { CloudFrontDistribution: aliasTarget, CustomDomainConfig: domain.customDomainConfig } : {}),
    Version: versionOf(domain.modifiedAt),
    Status: 'ACTIVE',
    ManagedLoginVersion: domain.managedLoginVersion,
  };
}

/** "The app version": changes with every update; `yyyyMMddHHmmss` of the last change, UTC. */
function versionOf(modifiedAt: number): string {
  return new Date(modifiedAt).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The input CreateUserPoolDomain and UpdateUserPoolDomain share (Cognito API reference). */
export const domainRequestShape = z.object({
  Domain: domainShape,
  UserPoolId: userPoolIdShape,
  CustomDomainConfig: customDomainConfigShape.optional(),
  ManagedLoginVersion: managedLoginVersionShape.optional(),
  Routing: z.unknown().optional(),
});
