import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolServices } from '../services.ts';
import { newClientId, newClientSecret } from '../shared/identifiers.ts';
import { APP_CLIENT_RECORD_KIND, type AppClientRecord } from './app-client.ts';
import { resolveClientSettings, type ClientSettingsInput } from './client-settings.ts';

/**
 * Route name under which a client id leads to its pool region-wide: InitiateAuth, SignUp and the
 * other public actions name only the ClientId. Client ids are random and not personal data, so
 * they may be stored unblinded (see LookupKey.route).
 */
export const CLIENT_ROUTE = 'app-client-id';

/** Cognito's quota of app clients per user pool (developer guide, "Quotas"). */
export const MAXIMUM_CLIENTS_PER_POOL = 1_000;

export interface NewClient {
  name: string;
  generateSecret?: boolean;
  /** A secret chosen by the caller (CreateUserPoolClient ClientSecret) instead of a generated one. */
  clientSecret?: string;
  settings: ClientSettingsInput;
}

export async function createClient(services: UserPoolServices, poolId: string, client: NewClient): Promise<AppClientRecord> {
  const secret = secretFor(client);
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      if ((await records.count(APP_CLIENT_RECORD_KIND)) >= MAXIMUM_CLIENTS_PER_POOL) {
        throw new LimitExceededException(`A user pool can have at most ${MAXIMUM_CLIENTS_PER_POOL} app clients.`);
      }
      const settings = await resolveClientSettings(client.settings, { records, pool, hasSecret: secret !== undefined, operation: 'creating' });
      const now = services.now();
      const record: AppClientRecord = { id: newClientId(), userPoolId: pool.id, name: client.name, secret, createdAt: now, modifiedAt: now, settings };
      await saveClient(records, record);
      return record;
    }),
  );
}

/**
 * The app client `clientId` of the pool whose records are open (DescribeUserPoolClient, sign-in,
 * token issuance; public actions find the pool first through CLIENT_ROUTE); ResourceNotFound when
 * the pool has no such client.
 */
export async function loadClient(records: EncryptedRecords, clientId: string): Promise<AppClientRecord> {
  const client = await findClient(records, clientId);
  if (!client) throw clientNotFound(clientId);
  return client;
}

/** The app client `clientId` of the pool whose records are open, or null (each protocol words its own refusal). */
export function findClient(records: EncryptedRecords, clientId: string): Promise<AppClientRecord | null> {
  return records.get<AppClientRecord>(APP_CLIENT_RECORD_KIND, clientId);
}

export async function getClient(services: UserPoolServices, poolId: string, clientId: string): Promise<AppClientRecord> {
  return withPool(poolId, () => services.vault.read(poolId, (records) => loadClient(records, clientId)));
}

export interface ClientChange {
  /** Kept when left out: a client always has a name. */
  name?: string;
  settings: ClientSettingsInput;
}

/**
 * UpdateUserPoolClient replaces the client's settings: as in Cognito, a setting left out returns
 * to its default. The secret cannot change here (Cognito rotates secrets with separate actions).
 */
export async function updateClient(services: UserPoolServices, poolId: string, clientId: string, change: ClientChange): Promise<AppClientRecord> {
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      const client = await loadClient(records, clientId);
      const settings = await resolveClientSettings(change.settings, { records, pool, hasSecret: client.secret !== undefined, operation: 'updating' });
      const updated: AppClientRecord = { ...client, name: change.name ?? client.name, settings, modifiedAt: services.now() };
      await saveClient(records, updated);
      return updated;
    }),
  );
}

export async function deleteClient(services: UserPoolServices, poolId: string, clientId: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      await loadPool(records);
      if (!(await records.delete(APP_CLIENT_RECORD_KIND, clientId))) throw clientNotFound(clientId);
    }),
  );
}

/** A page of the pool's clients in client-id order; `next` is the id to continue after. */
export async function listClients(services: UserPoolServices, poolId: string, after: string | null, limit: number): Promise<{ clients: AppClientRecord[]; next: string | null }> {
  return withPool(poolId, () =>
    services.vault.read(poolId, async (records) => {
      await loadPool(records);
      const page = await records.list<AppClientRecord>(APP_CLIENT_RECORD_KIND, after, limit);
      return { clients: page.items.map((item) => item.value), next: page.nextAfter };
    }),
  );
}

/** Writes the record with its route; every write carries the route, since a put replaces indexes. */
async function saveClient(records: EncryptedRecords, client: AppClientRecord): Promise<void> {
  await records.put(APP_CLIENT_RECORD_KIND, client.id, client, [{ name: CLIENT_ROUTE, value: client.id, route: true }]);
}

export function clientNotFound(clientId: string): Error {
  return new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
}

/** "You cannot specify both GenerateSecret as true and provide a ClientSecret value." */
function secretFor(client: NewClient): string | undefined {
  if (client.generateSecret && client.clientSecret !== undefined) {
    throw new InvalidParameterException('You cannot specify both GenerateSecret as true and provide a ClientSecret value.');
  }
  return client.generateSecret ? newClientSecret() : client.clientSecret;
}
