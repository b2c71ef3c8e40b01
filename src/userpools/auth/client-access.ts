import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { NotAuthorizedException, ResourceNotFoundException } from '../errors.ts';
import { CLIENT_ROUTE, loadClient } from '../clients/client-directory.ts';
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
  if (!poolId) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  return poolId;
}

export function openClient(services: UserPoolServices, clientId: string, poolId?: string): Promise<ClientContext> {
  return readWithClient(services, clientId, poolId, async (context) => context);
}

/**
 * openClient, then `work` in the same read view of the pool: for the hot paths (InitiateAuth),
 * where a second view would cost a second pool-version check.
 */
export async function readWithClient<T>(
  services: UserPoolServices,
  clientId: string,
  poolId: string | undefined,
  work: (context: ClientContext, records: EncryptedRecords) => Promise<T>,
): Promise<T> {
  const resolvedPoolId = poolId ?? (await poolOfClient(services, clientId));
  return services.vault.read(resolvedPoolId, async (records) => work({ pool: await loadPool(records), client: await loadClient(records, clientId) }, records));
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
