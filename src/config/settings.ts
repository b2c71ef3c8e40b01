import { z } from 'zod';

/**
 * Every setting of a region process, from flags and environment, with safe defaults. Secrets
 * (admin secret, root key) are only ever read here and never logged.
 */
export const regionSettingsSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region must look like us-east-1'),
  port: z.number().int().min(0).max(65535),
  host: z.string().default('127.0.0.1'),
  dataDir: z.string().min(1),
  /** postgres://... selects PostgreSQL; absent means SQLite in dataDir. */
  databaseUrl: z.string().optional(),
  /** Base URL used in token issuers and discovery; defaults to http://<host>:<port>. */
  publicUrl: z.string().url().optional(),
  /**
   * The deployment-wide issuer URL from the region catalog (src/regions/region-catalog.ts), which a
   * failover router will front: the issuer of pools with IssuerConfiguration UPDATED
   * (src/userpools/auth/issuers.ts) and the base of their advertised OAuth endpoints.
   */
  globalIssuerUrl: z.string().url().optional(),
  /**
   * Parent domain of host-named OAuth endpoints: `<prefix>.<authDomain>/oauth2/token` reaches the
   * pool with that domain prefix (src/oauth/pool-resolution.ts). Unset: path form only.
   */
  authDomain: z
    .string()
    .max(253)
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, 'authDomain must be a lower-case DNS name such as auth.example.com')
    .optional(),
  accountId: z.string().regex(/^\d{12}$/).default('000000000000'),
  adminAccessKeyId: z.string().min(16).max(128),
  adminSecretAccessKey: z.string().min(16).max(128),
  /** Lifetime of unwrapped data keys in memory; bounds how fast a disabled KMS key bites. */
  dataKeyCacheSeconds: z.number().int().min(0).max(300).default(300),
  /**
   * SMTP server for email messages: smtp://[user:pass@]host[:port] or smtps://... (a secret: never
   * logged). Unset: MERIDIAN_SMTP_URL, else email stays in the outbox. SMS always stays there.
   */
  smtpUrl: z.string().regex(/^smtps?:\/\/\S+$/, 'smtpUrl must be an smtp:// or smtps:// URL').optional(),
  /** Sender address of email without a pool EmailConfiguration.From (else MERIDIAN_SMTP_FROM, else Cognito's). */
  smtpFrom: z.string().min(3).max(256).optional(),
  /**
   * Other Regions' KMS for ReplicateKey (src/kms/replication): each peer's endpoint and the
   * credential the two Regions share (both list each other with the same key id and secret; a
   * secret: never logged), used by KMS key replication and pool replication. Under `serve
   * --catalog` derived from the region catalog (peersOf), else MERIDIAN_REGION_PEERS. Empty: this
   * Region replicates nothing with other Regions.
   */
  regionPeers: z
    .record(
      z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'peer names must be Region names'),
      z.object({ endpoint: z.string().url(), accessKeyId: z.string().min(16).max(128), secretAccessKey: z.string().min(32).max(256) }),
    )
    .default({}),
  /**
   * Records per snapshot page when a replica copies a pool (MERIDIAN_REPLICATION_PAGE_SIZE): larger
   * pages copy faster, smaller ones keep each request short and make progress finer-grained.
   */
  replicationPageSize: z.number().int().min(1).max(1000).default(200),
  /** How often the KMS scheduler deletes keys past their deletion date, rotates keys and retries replica sync. */
  kmsSweepSeconds: z.number().int().min(1).max(3600).default(60),
  /**
   * Customer keys live in an external AWS-KMS-compatible service (real AWS KMS in production)
   * instead of this region's built-in KMS. Credentials from the settings or the AWS SDK's chain.
   */
  externalKms: z
    .object({ endpoint: z.string().url().optional(), accessKeyId: z.string().min(1).optional(), secretAccessKey: z.string().min(1).optional() })
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RegionSettings = z.infer<typeof regionSettingsSchema>;
export type RegionSettingsInput = z.input<typeof regionSettingsSchema>;

export function parseRegionSettings(input: RegionSettingsInput): RegionSettings {
  return regionSettingsSchema.parse(input);
}
