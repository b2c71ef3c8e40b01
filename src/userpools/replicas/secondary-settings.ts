import { isPerRegionSetting, readSecondarySettings, withRegionSettings, writeSecondarySettings, type PerRegionSettings } from '../../regions/per-region-settings.ts';
import type { PoolSettings } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { refusedOnSecondary } from './replica-gate.ts';

/** True when the pool is a secondary replica in this region. */
export async function isSecondaryHere(services: UserPoolServices, poolId: string): Promise<boolean> {
  return (await services.vault.roleOf(poolId)) === 'replica';
}

/**
 * UpdateUserPool in a secondary region: only the per-region settings may be set there (they
 * replace the region's own set, as UpdateUserPool replaces settings); anything else is the
 * primary's to change.
 */
export async function updateSecondarySettings(services: UserPoolServices, poolId: string, settings: PoolSettings, name: string | undefined): Promise<void> {
  const others = Object.keys(settings).filter((key) => !isPerRegionSetting(key) && settings[key as keyof PoolSettings] !== undefined);
  if (name !== undefined) others.push('PoolName');
  if (others.length > 0) throw refusedOnSecondary(services, poolId, `UpdateUserPool of ${others.join(', ')}`);
  await writeSecondarySettings(services.vault, poolId, settings as PerRegionSettings);
}

/** The pool as DescribeUserPool shows it in this region: a secondary shows its own per-region settings. */
export async function poolAsSeenHere(services: UserPoolServices, pool: UserPoolRecord): Promise<UserPoolRecord> {
  if (!(await isSecondaryHere(services, pool.id))) return pool;
  return { ...pool, settings: withRegionSettings(pool.settings, await readSecondarySettings(services.vault, pool.id)) };
}
