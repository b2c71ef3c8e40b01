import { z } from 'zod';

/**
 * A resource server of a user pool: an OAuth 2.0 API identified by `Identifier`, declaring custom
 * scopes that app clients may be allowed and tokens may carry as `<Identifier>/<ScopeName>`
 * (Cognito API reference, CreateResourceServer and ResourceServerType).
 */

/** Record kind of resource servers; ids are opaque, the identifier is a unique blind lookup. */
export const RESOURCE_SERVER_RECORD_KIND = 'resource-server';
export const RESOURCE_SERVER_LOOKUPS = { identifier: 'identifier' } as const;

/** Cognito's quota of resource servers per user pool (developer guide, "Quotas in Amazon Cognito"). */
export const MAXIMUM_RESOURCE_SERVERS_PER_POOL = 25;
/** ResourceServerType.Scopes: "Array Members: Maximum number of 100 items." */
export const MAXIMUM_SCOPES_PER_RESOURCE_SERVER = 100;

/** Printable ASCII without space, `"` and `\` (the scope-token characters of RFC 6749 §3.3). */
export const identifierShape = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+');
export const resourceServerNameShape = z.string().min(1).max(256).regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+');
/** As the identifier, and also without `/`: the last `/` of a custom scope separates the two. */
export const scopeNameShape = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/, 'Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+');
export const scopeShape = z.object({ ScopeName: scopeNameShape, ScopeDescription: z.string().min(1).max(256) });
export const scopesShape = z.array(scopeShape).max(MAXIMUM_SCOPES_PER_RESOURCE_SERVER);

export type ResourceServerScope = z.infer<typeof scopeShape>;

export interface ResourceServerRecord {
  /** Opaque record id, never shown. */
  id: string;
  identifier: string;
  name: string;
  scopes: ResourceServerScope[];
  createdAt: number;
  modifiedAt: number;
}

/** The ResourceServerType of the API. */
export function toResourceServerType(poolId: string, server: ResourceServerRecord): Record<string, unknown> {
  return {
    UserPoolId: poolId,
    Identifier: server.identifier,
    Name: server.name,
    Scopes: server.scopes.map((scope) => ({ ScopeName: scope.ScopeName, ScopeDescription: scope.ScopeDescription })),
  };
}

/**
 * Splits a custom scope `<identifier>/<scope name>` at its last `/`: identifiers may contain `/`
 * (`https://api.example.com/v1`), scope names may not. Null when it cannot be a custom scope.
 */
export function splitCustomScope(scope: string): { identifier: string; scopeName: string } | null {
  const slash = scope.lastIndexOf('/');
  if (slash <= 0 || slash === scope.length - 1) return null;
  return { identifier: scope.slice(0, slash), scopeName: scope.slice(slash + 1) };
}
