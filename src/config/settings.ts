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
  accountId: z.string().regex(/^\d{12}$/).default('000000000000'),
  adminAccessKeyId: z.string().min(16).max(128),
  adminSecretAccessKey: z.string().min(16).max(128),
  /** Lifetime of unwrapped data keys in memory; bounds how fast a disabled KMS key bites. */
  dataKeyCacheSeconds: z.number().int().min(0).max(300).default(300),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RegionSettings = z.infer<typeof regionSettingsSchema>;
export type RegionSettingsInput = z.input<typeof regionSettingsSchema>;

export function parseRegionSettings(input: RegionSettingsInput): RegionSettings {
  return regionSettingsSchema.parse(input);
}
