import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { UniqueIndexViolation } from '../../store/store.ts';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolServices } from '../services.ts';
import { newRecordId } from '../shared/identifiers.ts';
import {
  MAXIMUM_RESOURCE_SERVERS_PER_POOL,
  RESOURCE_SERVER_LOOKUPS,
  RESOURCE_SERVER_RECORD_KIND,
  splitCustomScope,
  type ResourceServerRecord,
  type ResourceServerScope,
} from './resource-server.ts';

export interface ResourceServerInput {
  identifier: string;
  name: string;
  scopes?: ResourceServerScope[];
}

export async function createResourceServer(services: UserPoolServices, poolId: string, input: ResourceServerInput): Promise<ResourceServerRecord> {
  const scopes = checkedScopes(input.scopes);
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      await loadPool(records);
      if ((await records.count(RESOURCE_SERVER_RECORD_KIND)) >= MAXIMUM_RESOURCE_SERVERS_PER_POOL) {
        throw new LimitExceededException(`A user pool can have at most ${MAXIMUM_RESOURCE_SERVERS_PER_POOL} resource servers.`);
      }
      const now = services.now();
      const server: ResourceServerRecord = { id: newRecordId(), identifier: input.identifier, name: input.name, scopes, createdAt: now, modifiedAt: now };
      await saveResourceServer(records, server);
      return server;
    }),
  );
}

export async function getResourceServer(services: UserPoolServices, poolId: string, identifier: string): Promise<ResourceServerRecord> {
  return withPool(poolId, () =>
    services.vault.read(poolId, async (records) => {
      await loadPool(records);
      return requireResourceServer(records, identifier);
    }),
  );
}

/**
 * UpdateResourceServer replaces name and scopes ("If you don't provide a value for an attribute,
 * it is set to the default value": no Scopes means none). Scopes it drops stay in app clients'
 * AllowedOAuthScopes but are no longer granted, as after DeleteResourceServer.
 */
export async function updateResourceServer(services: UserPoolServices, poolId: string, input: ResourceServerInput): Promise<ResourceServerRecord> {
  const scopes = checkedScopes(input.scopes);
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      await loadPool(records);
      const server = await requireResourceServer(records, input.identifier);
      const updated: ResourceServerRecord = { ...server, name: input.name, scopes, modifiedAt: services.now() };
      await saveResourceServer(records, updated);
      return updated;
    }),
  );
}

/**
 * Deleting a resource server is allowed while app clients still name its scopes: Cognito's
 * DeleteResourceServer has no "in use" error. Those clients keep the names in
 * AllowedOAuthScopes (nothing rewrites them), but a scope that no longer exists is never granted
 * (the token endpoint checks existence), and an UpdateUserPoolClient that still names it is
 * refused with ScopeDoesNotExistException, like any unknown scope.
 */
export async function deleteResourceServer(services: UserPoolServices, poolId: string, identifier: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      await loadPool(records);
      const server = await requireResourceServer(records, identifier);
      await records.delete(RESOURCE_SERVER_RECORD_KIND, server.id);
    }),
  );
}

/** A page of the pool's resource servers in record-id order; `next` is the id to continue after. */
export async function listResourceServers(
  services: UserPoolServices,
  poolId: string,
  after: string | null,
  limit: number,
): Promise<{ servers: ResourceServerRecord[]; next: string | null }> {
  return withPool(poolId, () =>
    services.vault.read(poolId, async (records) => {
      await loadPool(records);
      const page = await records.list<ResourceServerRecord>(RESOURCE_SERVER_RECORD_KIND, after, limit);
      return { servers: page.items.map((item) => item.value), next: page.nextAfter };
    }),
  );
}

export async function findResourceServer(records: EncryptedRecords, identifier: string): Promise<ResourceServerRecord | null> {
  // Identifiers are the pool's public configuration (they prefix the scopes in its tokens).
  return (await records.findByPublicValue<ResourceServerRecord>(RESOURCE_SERVER_RECORD_KIND, RESOURCE_SERVER_LOOKUPS.identifier, identifier))?.value ?? null;
}

/**
 * Whether `scope` is `<identifier>/<scope name>` of a resource server of the open pool that
 * declares that scope name. Scope names are case-sensitive (RFC 6749 §3.3).
 */
export async function customScopeDefined(records: EncryptedRecords, scope: string): Promise<boolean> {
  return (await definedCustomScopes(records, [scope])).has(scope);
}

/** The members of `scopes` that resource servers of the open pool declare; one lookup per identifier. */
export async function definedCustomScopes(records: EncryptedRecords, scopes: readonly string[]): Promise<Set<string>> {
  const byIdentifier = new Map<string, string[]>();
  for (const scope of scopes) {
    const parts = splitCustomScope(scope);
    if (!parts) continue;
    byIdentifier.set(parts.identifier, [...(byIdentifier.get(parts.identifier) ?? []), scope]);
  }
  const defined = new Set<string>();
  for (const [identifier, named] of byIdentifier) {
    const server = await findResourceServer(records, identifier);
    if (!server) continue;
    const names = new Set(server.scopes.map((scope) => scope.ScopeName));
    for (const scope of named) if (names.has(splitCustomScope(scope)!.scopeName)) defined.add(scope);
  }
  return defined;
}

async function requireResourceServer(records: EncryptedRecords, identifier: string): Promise<ResourceServerRecord> {
  const server = await findResourceServer(records, identifier);
  if (!server) throw new ResourceNotFoundException(`Resource server ${identifier} does not exist in user pool ${records.poolId}.`);
  return server;
}

/**
 * Saves with the unique identifier lookup. CreateResourceServer lists no "exists" exception of
 * its own; a taken identifier is InvalidParameterException, as Cognito answers it.
 */
async function saveResourceServer(records: EncryptedRecords, server: ResourceServerRecord): Promise<void> {
  try {
    await records.put(RESOURCE_SERVER_RECORD_KIND, server.id, server, [{ name: RESOURCE_SERVER_LOOKUPS.identifier, value: server.identifier, unique: true }]);
  } catch (error) {
    if (error instanceof UniqueIndexViolation) {
      throw new InvalidParameterException(`A resource server with identifier ${server.identifier} already exists in user pool ${records.poolId}.`);
    }
    throw error;
  }
}

/** Scope names are unique within a resource server: a repeated name would be two meanings of one scope. */
function checkedScopes(scopes: ResourceServerScope[] | undefined): ResourceServerScope[] {
  const list = scopes ?? [];
  const seen = new Set<string>();
  for (const scope of list) {
    if (seen.has(scope.ScopeName)) throw new InvalidParameterException(`Duplicate scope name ${scope.ScopeName} in the resource server's Scopes.`);
    seen.add(scope.ScopeName);
  }
  return list.map((scope) => ({ ScopeName: scope.ScopeName, ScopeDescription: scope.ScopeDescription }));
}
