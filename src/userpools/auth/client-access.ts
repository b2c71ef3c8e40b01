import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { NotAuthorizedException, ResourceNotFoundException } from '../errors.ts';
import { CLIENT_ROUTE, clientNotFound, findClient } from '../clients/client-directory.ts';
import { PoolMissing } from '../../store/store.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { loadPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';

export interface ClientContext {
  pool: UserPoolRecord;
  client: AppClientRecord;
}

/**
 * Public actions name only a ClientId; the region's client routes say which pool it belongs to.
 * An unknown client is ResourceNotFoundException, as in Cognito.
 */
export async function poolOfClient(services: UserPoolServices, clientId: string): Promise<string> {
  const poolId = await services.vault.findPoolByRoute(CLIENT_ROUTE, clientId);
  if (!poolId) throw clientNotFound(clientId);
  return poolId;
}

/**
 * The pool an app client belongs to, as this process remembers it (PoolVault
 * rememberedPoolOfRoute), or null for an unknown client. Cheap, but only a lead: confirm it by
 * finding the client in that pool, as `readWithClient` does.
 */
export function rememberedPoolOfClient(services: UserPoolServices, clientId: string): Promise<string | null> {
  return services.vault.rememberedPoolOfRoute(CLIENT_ROUTE, clientId);
}

/**
 * The pool of an app client looked up exactly, for a caller about to act on a remembered lead
 * (`lead`) where a stale one would give the wrong answer; forgets the lead when the route denies
 * it. Null for a client that no longer exists.
 */
export async function confirmedPoolOfClient(services: UserPoolServices, clientId: string, lead: string): Promise<string | null> {
  const routed = await services.vault.findPoolByRoute(CLIENT_ROUTE, clientId);
  if (routed !== lead) services.vault.forgetRoute(CLIENT_ROUTE, clientId);
  return routed;
}

export function openClient(services: UserPoolServices, clientId: string, poolId?: string): Promise<ClientContext> {
  return readWithClient(services, clientId, poolId, async (context) => context);
}

/**
 * openClient, then `work` in the same read view of the pool: for the hot paths (InitiateAuth),
 * where a second view would cost a second pool-version check. `poolId` is where the caller
 * expects the client (the replica gate's lead); without it, the remembered route leads. Either is
 * confirmed by the client's own record in the view: a client id is random and unique in the
 * region and never moves to another pool, so a lead can only be stale when the client or its pool
 * was deleted, and then the route, looked up again, decides.
 */
export async function readWithClient<T>(
  services: UserPoolServices,
  clientId: string,
  poolId: string | undefined,
  work: (context: ClientContext, records: EncryptedRecords) => Promise<T>,
): Promise<T> {
  const lead = poolId ?? (await rememberedPoolOfClient(services, clientId));
  if (lead === null) throw clientNotFound(clientId);
  const found = await readIfClientIn(services, lead, clientId, work);
  if (found) return found.value;
  services.vault.forgetRoute(CLIENT_ROUTE, clientId);
  const routed = await poolOfClient(services, clientId);
  if (routed === lead) throw clientNotFound(clientId);
  const again = await readIfClientIn(services, routed, clientId, work);
  if (!again) throw clientNotFound(clientId);
  return again.value;
}

/** `work` in a view of `poolId` when the client is one of its clients; null when it is not (or the pool is gone). */
async function readIfClientIn<T>(
  services: UserPoolServices,
  poolId: string,
  clientId: string,
  work: (context: ClientContext, records: EncryptedRecords) => Promise<T>,
): Promise<{ value: T } | null> {
  let found = false;
  try {
    return await services.vault.read(poolId, async (records) => {
      const client = await findClient(records, clientId);
      if (!client) return null;
      found = true;
      return { value: await work({ pool: await loadPool(records), client }, records) };
    });
  } catch (error) {
    // A pool deleted since the lead was taken; an error of `work` itself is the answer.
    if (!found && error instanceof PoolMissing) return null;
    throw error;
  }
}

/**
 * SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)) (Cognito developer guide,
 * "Computing secret hash values"); required exactly when the client has a secret.
 */
export function checkSecretHash(client: AppClientRecord, username: string, secretHash: string | undefined): void {
  if (!client.secret) return;
  if (!secretHash) throw new NotAuthorizedException(`Client ${client.id} is configured with secret but SECRET_HASH was not received`);
  const expected = createHmac('sha256', client.secret).update(username + client.id).digest();
  const given = Buffer.from(secretHash, 'base64');
  // Unlike a client secret, the expected value's length is public (an HMAC-SHA256 is always 32
  // bytes), so checking it first reveals nothing; the contents are compared in constant time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.id}`);
  }
}
