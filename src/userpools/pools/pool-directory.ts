import { generateSigningKeys, SIGNING_KEY_KIND } from '../../auth/tokens/signing-keys.ts';
import { PoolMissing } from '../../store/store.ts';
import { InvalidParameterException, ResourceNotFoundException } from '../errors.ts';
import { newUserPoolId } from '../shared/identifiers.ts';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { UserPoolServices } from '../services.ts';
import { settingsWithDefaults, type PoolSettings } from './pool-settings.ts';
import { buildSchema, type SchemaAttributeInput } from './schema-attributes.ts';
import { awsTimestamp, POOL_RECORD_KIND, userPoolArn, type UserPoolRecord } from './user-pool.ts';

export interface NewPool {
  name: string;
  settings: PoolSettings;
  schema?: SchemaAttributeInput[];
  usernameAttributes?: UserPoolRecord['usernameAttributes'];
  aliasAttributes?: UserPoolRecord['aliasAttributes'];
  usernameCaseSensitive?: boolean;
}

export async function createPool(services: UserPoolServices, pool: NewPool): Promise<UserPoolRecord> {
  const built = buildSchema(pool.schema);
  if ('error' in built) throw new InvalidParameterException(built.error);
  if (pool.usernameAttributes?.length && pool.aliasAttributes?.length) {
    throw new InvalidParameterException('Only one of UsernameAttributes or AliasAttributes can be set in a User Pool.');
  }
  checkSettings(pool.settings);
  const now = services.now();
  const record: UserPoolRecord = {
    id: newUserPoolId(services.region),
    name: pool.name,
    createdAt: now,
    modifiedAt: now,
    schema: built.schema,
    usernameAttributes: pool.usernameAttributes ?? [],
    aliasAttributes: pool.aliasAttributes ?? [],
    usernameCaseSensitive: pool.usernameCaseSensitive ?? false,
    settings: pool.settings,
  };
  const signingKeys = await generateSigningKeys(now);
  await services.vault.createPool(record.id, services.serviceKey, async (records) => {
    await records.put(POOL_RECORD_KIND, record.id, record);
    for (const key of signingKeys) await records.put(SIGNING_KEY_KIND, key.kid, key);
  });
  return record;
}

/** Reads a pool's record inside an open transaction or view; ResourceNotFound when missing. */
export async function loadPool(records: EncryptedRecords): Promise<UserPoolRecord> {
  const pool = await records.get<UserPoolRecord>(POOL_RECORD_KIND, records.poolId);
  if (!pool) throw poolNotFound(records.poolId);
  return pool;
}

export async function readPool(services: UserPoolServices, poolId: string): Promise<UserPoolRecord> {
  return withPool(poolId, () => services.vault.read(poolId, loadPool));
}

/**
 * UpdateUserPool replaces the pool's settings: as in Cognito, a setting left out returns to its
 * default. Tier, key, issuer and name are kept when left out, because silently dropping a
 * customer key or downgrading a tier is never what a partial update means.
 */
export async function updatePool(services: UserPoolServices, poolId: string, settings: PoolSettings, name?: string): Promise<void> {
  checkSettings(settings);
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const pool = await loadPool(records);
      const kept = {
        UserPoolTier: settings.UserPoolTier ?? pool.settings.UserPoolTier,
        KeyConfiguration: settings.KeyConfiguration ?? pool.settings.KeyConfiguration,
        IssuerConfiguration: settings.IssuerConfiguration ?? pool.settings.IssuerConfiguration,
      };
      const updated: UserPoolRecord = { ...pool, name: name ?? pool.name, settings: { ...settings, ...kept }, modifiedAt: services.now() };
      await records.put(POOL_RECORD_KIND, poolId, updated);
    }),
  );
}

export async function deletePool(services: UserPoolServices, poolId: string): Promise<void> {
  const pool = await readPool(services, poolId);
  if (pool.settings.DeletionProtection === 'ACTIVE') {
    throw new InvalidParameterException('The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.');
  }
  await services.vault.deletePool(poolId);
}

/** Pools in id order, decrypting each pool's record; NextToken is the last id of the page. */
export async function listPools(services: UserPoolServices, after: string | null, limit: number): Promise<{ pools: UserPoolRecord[]; next: string | null }> {
  const entries = await services.vault.listPoolIds(after, limit + 1);
  const page = entries.slice(0, limit);
  const pools: UserPoolRecord[] = [];
  for (const entry of page) {
    try {
      pools.push(await readPool(services, entry.poolId));
    } catch (error) {
      // A pool deleted between the listing and the read is simply not listed.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
  return { pools, next: entries.length > limit ? page[page.length - 1]!.poolId : null };
}

/** The UserPoolType of DescribeUserPool. */
export function describePool(services: UserPoolServices, pool: UserPoolRecord, estimatedUsers: number): Record<string, unknown> {
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: userPoolArn(services.region, services.accountId, pool.id),
    CreationDate: awsTimestamp(pool.createdAt),
    LastModifiedDate: awsTimestamp(pool.modifiedAt),
    SchemaAttributes: pool.schema,
    ...(pool.usernameAttributes.length ? { UsernameAttributes: pool.usernameAttributes } : {}),
    ...(pool.aliasAttributes.length ? { AliasAttributes: pool.aliasAttributes } : {}),
    UsernameConfiguration: { CaseSensitive: pool.usernameCaseSensitive },
    EstimatedNumberOfUsers: estimatedUsers,
    ...settingsWithDefaults(pool.settings),
  };
}

export function poolNotFound(poolId: string): Error {
  return new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
}

/** Turns the store's PoolMissing (pool deleted or never created) into Cognito's error. */
export async function withPool<T>(poolId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PoolMissing) throw poolNotFound(poolId);
    throw error;
  }
}

function checkSettings(settings: PoolSettings): void {
  const key = settings.KeyConfiguration;
  if (key?.KeyType === 'CUSTOMER_MANAGED_KEY' && !key.KmsKeyArn) {
    throw new InvalidParameterException('KmsKeyArn is required when KeyType is CUSTOMER_MANAGED_KEY.');
  }
  if (key?.KeyType === 'CUSTOMER_MANAGED_KEY') {
    // Customer-managed keys need the KMS integration (see docs/ARCHITECTURE.md); refuse rather
    // than pretend the data is under the customer's key.
    throw new InvalidParameterException('CUSTOMER_MANAGED_KEY is not available in this region yet: no KMS is configured.');
  }
  const mechanisms = settings.AccountRecoverySetting?.RecoveryMechanisms ?? [];
  if (new Set(mechanisms.map((mechanism) => mechanism.Priority)).size !== mechanisms.length) {
    throw new InvalidParameterException('AccountRecoverySetting priorities must be unique.');
  }
}
