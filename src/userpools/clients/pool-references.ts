import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { customScopeDefined } from '../resource-servers/resource-server-directory.ts';

/**
 * What an app client may name that lives elsewhere in its pool: OAuth scopes and identity
 * providers. Each question is one small function so resource servers and federated identity
 * providers can answer it when they exist, without the client code changing.
 */

/** Scopes every pool has (Cognito API reference, CreateUserPoolClient AllowedOAuthScopes). */
export const STANDARD_SCOPES: ReadonlySet<string> = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

export async function scopeExists(records: EncryptedRecords, scope: string): Promise<boolean> {
  return STANDARD_SCOPES.has(scope) || customScopeExists(records, scope);
}

/**
 * A custom scope is `<resource server identifier>/<scope name>` and exists only when a resource
 * server of the pool declares that scope name (userpools/resource-servers).
 */
async function customScopeExists(records: EncryptedRecords, scope: string): Promise<boolean> {
  return customScopeDefined(records, scope);
}

/**
 * `COGNITO` (the pool's own users) always exists; Facebook, Google, SignInWithApple,
 * LoginWithAmazon, SAML and OIDC providers exist once configured in the pool. Identity providers
 * are not implemented yet, so only `COGNITO` does; their implementation answers here from `records`.
 */
export async function identityProviderExists(_records: EncryptedRecords, providerName: string): Promise<boolean> {
  return providerName === 'COGNITO';
}
