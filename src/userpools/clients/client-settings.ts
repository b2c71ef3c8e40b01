import { z } from 'zod';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { FeatureUnavailableInTierException, InvalidParameterException } from '../errors.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import { checkOAuthSettings, OAUTH_FLOWS } from './oauth-settings.ts';
import { identityProviderExists } from './pool-references.ts';
import { checkRedirectSettings } from './redirect-urls.ts';
import { resolveTokenValidity, TIME_UNITS, type TokenValiditySettings } from './token-validity.ts';

/**
 * The settings of an app client that CreateUserPoolClient and UpdateUserPoolClient both accept,
 * with the limits of the Cognito API reference. Stored with Cognito's defaults applied, so what is
 * stored is what DescribeUserPoolClient shows and what sign-in code reads.
 */
export const clientNameShape = z.string().min(1).max(128).regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+');
export const clientSecretShape = z.string().min(24).max(64).regex(/^[\w+]+$/, 'Member must satisfy regular expression pattern: [\\w+]+');

export const LEGACY_AUTH_FLOWS = ['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH'] as const;
export const EXPLICIT_AUTH_FLOWS = [
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
  ...LEGACY_AUTH_FLOWS,
] as const;
export type ExplicitAuthFlow = (typeof EXPLICIT_AUTH_FLOWS)[number];

/** "If you don't specify a value for ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH." */
export const DEFAULT_EXPLICIT_AUTH_FLOWS: readonly ExplicitAuthFlow[] = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

/**
 * "When you create a new app client with the Amazon Cognito user pools API,
 * PreventUserExistenceErrors is LEGACY, or disabled, by default" (developer guide, "Managing user
 * existence error responses"); only the console preselects ENABLED.
 */
export const DEFAULT_PREVENT_USER_EXISTENCE_ERRORS = 'LEGACY';

const timeUnitShape = z.enum(TIME_UNITS);
const redirectUrlShape = z.string().min(1).max(1024).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
const attributeListShape = z.array(z.string().min(1).max(2048));
const arnShape = z.string().min(20).max(2048).regex(/^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/, 'Member must satisfy regular expression pattern: arn:...');

export const clientSettingsShape = z.object({
  RefreshTokenValidity: z.number().int().min(0).max(315_360_000).optional(),
  AccessTokenValidity: z.number().int().min(1).max(86_400).optional(),
  IdTokenValidity: z.number().int().min(1).max(86_400).optional(),
  TokenValidityUnits: z.object({ AccessToken: timeUnitShape.optional(), IdToken: timeUnitShape.optional(), RefreshToken: timeUnitShape.optional() }).optional(),
  ReadAttributes: attributeListShape.optional(),
  WriteAttributes: attributeListShape.optional(),
  ExplicitAuthFlows: z.array(z.enum(EXPLICIT_AUTH_FLOWS)).optional(),
  SupportedIdentityProviders: z.array(z.string().min(1).max(32).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u)).optional(),
  CallbackURLs: z.array(redirectUrlShape).max(100).optional(),
  LogoutURLs: z.array(redirectUrlShape).max(100).optional(),
  DefaultRedirectURI: redirectUrlShape.optional(),
  AllowedOAuthFlows: z.array(z.enum(OAUTH_FLOWS)).max(3).optional(),
  AllowedOAuthScopes: z.array(z.string().min(1).max(256).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+')).max(50).optional(),
  AllowedOAuthFlowsUserPoolClient: z.boolean().optional(),
  // Accepted and stored: Meridian has no Amazon Pinpoint to send events to.
  AnalyticsConfiguration: z
    .object({
      ApplicationId: z.string().regex(/^[0-9a-fA-F]+$/).optional(),
      ApplicationArn: arnShape.optional(),
      RoleArn: arnShape.optional(),
      ExternalId: z.string().optional(),
      UserDataShared: z.boolean().optional(),
    })
    .optional(),
  PreventUserExistenceErrors: z.enum(['ENABLED', 'LEGACY']).optional(),
  EnableTokenRevocation: z.boolean().optional(),
  EnablePropagateAdditionalUserContextData: z.boolean().optional(),
  AuthSessionValidity: z.number().int().min(3).max(15).optional(),
  RefreshTokenRotation: z.object({ Feature: z.enum(['ENABLED', 'DISABLED']), RetryGracePeriodSeconds: z.number().int().min(0).max(60).optional() }).optional(),
});

export type ClientSettingsInput = z.infer<typeof clientSettingsShape>;

export type ClientSettings = Omit<ClientSettingsInput, keyof TokenValiditySettings> &
  TokenValiditySettings & {
    ExplicitAuthFlows: ExplicitAuthFlow[];
    AllowedOAuthFlowsUserPoolClient: boolean;
    PreventUserExistenceErrors: 'ENABLED' | 'LEGACY';
    EnableTokenRevocation: boolean;
    EnablePropagateAdditionalUserContextData: boolean;
    AuthSessionValidity: number;
  };

/** What validation needs to know besides the settings themselves. */
export interface ClientContext {
  records: EncryptedRecords;
  pool: UserPoolRecord;
  hasSecret: boolean;
  /** Appears in Cognito's attribute error messages: "creating" or "updating". */
  operation: 'creating' | 'updating';
}

/** Settings with Cognito's defaults, checked against the pool; throws Cognito's errors. */
export async function resolveClientSettings(input: ClientSettingsInput, context: ClientContext): Promise<ClientSettings> {
  const settings = withDefaults(input);
  checkAuthFlows(settings.ExplicitAuthFlows, context.pool);
  checkAttributes(context, 'read', settings.ReadAttributes);
  checkAttributes(context, 'write', settings.WriteAttributes);
  checkRedirectSettings(settings);
  await checkOAuthSettings(settings, context.hasSecret, context.records);
  await checkIdentityProviders(settings.SupportedIdentityProviders ?? [], context);
  checkContextData(settings, context.hasSecret);
  return settings;
}

/**
 * Every setting left out takes its default, as in Cognito ("If you don't provide a value for an
 * attribute, Amazon Cognito sets it to its default value"). An empty list counts as left out, and
 * lists are sets: repeats are dropped.
 */
function withDefaults(input: ClientSettingsInput): ClientSettings {
  const given = withoutEmptyLists(input);
  return {
    ...given,
    ...resolveTokenValidity(input),
    ExplicitAuthFlows: given.ExplicitAuthFlows ?? [...DEFAULT_EXPLICIT_AUTH_FLOWS],
    AllowedOAuthFlowsUserPoolClient: input.AllowedOAuthFlowsUserPoolClient ?? false,
    PreventUserExistenceErrors: input.PreventUserExistenceErrors ?? DEFAULT_PREVENT_USER_EXISTENCE_ERRORS,
    // "If you don't include this parameter, token revocation is automatically activated."
    EnableTokenRevocation: input.EnableTokenRevocation ?? true,
    EnablePropagateAdditionalUserContextData: input.EnablePropagateAdditionalUserContextData ?? false,
    AuthSessionValidity: input.AuthSessionValidity ?? 3,
  };
}

function withoutEmptyLists<T extends object>(input: T): T {
  const entries = Object.entries(input)
    .filter(([, value]) => !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => [key, Array.isArray(value) ? [...new Set(value)] : value]);
  return Object.fromEntries(entries) as T;
}

/**
 * "You can't assign these legacy ExplicitAuthFlows values to user pool clients at the same time as
 * values that begin with ALLOW_"; a list of ALLOW_ values must include ALLOW_REFRESH_TOKEN_AUTH
 * (Cognito refuses one without it: "REFRESH_TOKEN_AUTH should always be allowed.", so tokens from
 * the hosted login can always be refreshed); ALLOW_USER_AUTH (choice-based sign-in) needs the
 * Essentials tier or higher.
 */
function checkAuthFlows(flows: ExplicitAuthFlow[], pool: UserPoolRecord): void {
  const legacy = flows.filter((flow) => (LEGACY_AUTH_FLOWS as readonly string[]).includes(flow));
  if (legacy.length > 0 && legacy.length < flows.length) {
    throw new InvalidParameterException(`ExplicitAuthFlows can not combine the legacy values ${LEGACY_AUTH_FLOWS.join(', ')} with values that begin with ALLOW_.`);
  }
  if (legacy.length === 0 && flows.length > 0 && !flows.includes('ALLOW_REFRESH_TOKEN_AUTH')) {
    throw new InvalidParameterException('REFRESH_TOKEN_AUTH should always be allowed.');
  }
  if (flows.includes('ALLOW_USER_AUTH') && (pool.settings.UserPoolTier ?? 'ESSENTIALS') === 'LITE') {
    throw new FeatureUnavailableInTierException('ALLOW_USER_AUTH requires the ESSENTIALS or PLUS feature plan.');
  }
}

/**
 * Read and write attributes must be attributes of the pool's schema (custom ones as `custom:x`).
 * Developer-only attributes are never visible to app clients, and `sub` is assigned by Cognito,
 * so no client can write it.
 */
function checkAttributes(context: ClientContext, access: 'read' | 'write', names: string[] | undefined): void {
  for (const name of names ?? []) {
    const attribute = context.pool.schema.find((candidate) => candidate.Name === name);
    const allowed = attribute !== undefined && !attribute.DeveloperOnlyAttribute && !(access === 'write' && name === 'sub');
    if (!allowed) throw new InvalidParameterException(`Invalid ${access} attributes specified while ${context.operation} a client`);
  }
}

async function checkIdentityProviders(providers: string[], context: ClientContext): Promise<void> {
  for (const provider of providers) {
    if (!(await identityProviderExists(context.records, provider))) {
      throw new InvalidParameterException(`The provider ${provider} does not exist for User Pool ${context.pool.id}`);
    }
  }
}

/** "You can only activate EnablePropagateAdditionalUserContextData in an app client that has a client secret." */
function checkContextData(settings: ClientSettings, hasSecret: boolean): void {
  if (settings.EnablePropagateAdditionalUserContextData && !hasSecret) {
    throw new InvalidParameterException('EnablePropagateAdditionalUserContextData can only be enabled for a client with a client secret.');
  }
}
