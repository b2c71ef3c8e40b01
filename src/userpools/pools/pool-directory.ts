import type { ServiceError } from '../../wire/service-error.ts';
import { generateSigningKeys, SIGNING_KEY_KIND } from '../../auth/tokens/signing-keys.ts';
import { PoolMissing } from '../../store/store.ts';
import { KeyUnusable, type KeyProvider } from '../../crypto/key-provider.ts';
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
    // The API default (UsernameConfigurationType: "True ... This is the default value"); the console
    // suggests false, but a pool created without the setting is case-sensitive.
    usernameCaseSensitive: pool.usernameCaseSensitive ?? true,
    settings: pool.settings,
  };
  const signingKeys = await generateSigningKeys(now);
  const provider = await keyProviderOf(services, pool.settings);
  await usingKey(() => services.vault.createPool(record.id, provider, async (records) => {
    await records.put(POOL_RECORD_KIND, record.id, record);
    for (const key of signingKeys) await records.put(SIGNING_KEY_KIND, key.kid, key);
  }));
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
  const rewrap = settings.KeyConfiguration ? await rewrapIfKeyChanges(services, poolId, settings) : null;
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
      if (rewrap) await records.replaceWrappedDataKey(rewrap.wrapped, rewrap.keyReference);
    }),
  );
  if (rewrap) services.vault.forgetKeys(poolId);
}

/**
 * The key a pool's KeyConfiguration names: the service-owned key, or the customer's KMS key
 * (CreateUserPool API reference, KeyConfigurationType).
 */
async function keyProviderOf(services: UserPoolServices, settings: PoolSettings): Promise<KeyProvider> {
  const key = settings.KeyConfiguration;
  return key?.KeyType === 'CUSTOMER_MANAGED_KEY' && key.KmsKeyArn ? services.customerKey(key.KmsKeyArn) : services.serviceKey;
}

/**
 * Switching keys re-wraps the pool's data key under the new key (checked first, so a key the
 * pool may not use is refused with nothing changed); no record is re-encrypted and the pool keeps
 * serving throughout.
 */
async function rewrapIfKeyChanges(services: UserPoolServices, poolId: string, settings: PoolSettings): Promise<{ wrapped: Buffer; keyReference: string } | null> {
  const provider = await keyProviderOf(services, settings);
  const current = await withPool(poolId, () => services.vault.keyReferenceOf(poolId));
  if (current === provider.reference) return null;
  return usingKey(() => services.vault.rewrapDataKey(poolId, provider));
}

/** A key the pool cannot use is a configuration error at create/update time, naming why. */
async function usingKey<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KeyUnusable) throw new InvalidParameterException(`The KMS key ${error.keyReference} cannot be used by this user pool: ${error.reason}.`);
    throw error;
  }
}

export async function deletePool(services: UserPoolServices, poolId: string): Promise<void> {
  const pool = await readPool(services, poolId);
  const replicaRegions = (await services.replicas?.replicaRegions(poolId)) ?? [];
  if (replicaRegions.length > 0) {
    throw new InvalidParameterException(`User pool ${poolId} has replicas in ${replicaRegions.join(', ')}; delete them first with DeleteUserPoolReplica.`);
  }
  if (pool.settings.DeletionProtection === 'ACTIVE') {
    throw new InvalidParameterException('The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.');
  }
  await services.vault.deletePool(poolId);
  // Its JWKS must go with it (in this process at once; other workers within the cache's minute).
  services.signingKeys.forget(poolId);
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

export function poolNotFound(poolId: string): ServiceError {
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
  if (key?.KeyType !== 'CUSTOMER_MANAGED_KEY' && key?.KmsKeyArn) {
    throw new InvalidParameterException('KmsKeyArn can only be set when KeyType is CUSTOMER_MANAGED_KEY.');
  }
  const mechanisms = settings.AccountRecoverySetting?.RecoveryMechanisms ?? [];
  if (new Set(mechanisms.map((mechanism) => mechanism.Priority)).size !== mechanisms.length) {
    throw new InvalidParameterException('AccountRecoverySetting priorities must be unique.');
  }
}
