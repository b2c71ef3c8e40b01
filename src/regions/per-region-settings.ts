import type { EncryptedRecords } from '../crypto/encrypted-records.ts';
import type { PoolVault } from '../crypto/pool-vault.ts';
import type { PoolSettings } from '../userpools/pools/pool-settings.ts';

/**
 * The settings of a pool that belong to a region rather than to the pool (Cognito: "per-Region
 * settings are not replicated"): where its email and SMS come from, its Lambda triggers and its
 * tags. The primary keeps its own in the pool's settings as always; each secondary keeps its own
 * in region-local state, set there with UpdateUserPool and never overwritten by replication.
 * Cognito's log export and web-ACL settings are per-region too; Meridian has no API for them yet.
 */
export const PER_REGION_SETTING_NAMES = ['EmailConfiguration', 'SmsConfiguration', 'LambdaConfig', 'UserPoolTags'] as const;
export type PerRegionSettingName = (typeof PER_REGION_SETTING_NAMES)[number];
export type PerRegionSettings = Pick<PoolSettings, PerRegionSettingName>;

const LOCAL_KIND = 'region-settings';
const LOCAL_ID = 'settings';

export function isPerRegionSetting(name: string): name is PerRegionSettingName {
  return (PER_REGION_SETTING_NAMES as readonly string[]).includes(name);
}

/** A secondary's own per-region settings (empty until set there). */
export async function readSecondarySettings(vault: PoolVault, poolId: string): Promise<PerRegionSettings> {
  return (await vault.readLocal<PerRegionSettings>(poolId, LOCAL_KIND, LOCAL_ID)) ?? {};
}

/** The per-region settings among `settings` (the others left out). */
export function pickRegionSettings(settings: PerRegionSettings): PerRegionSettings {
  const kept: PerRegionSettings = {};
  for (const name of PER_REGION_SETTING_NAMES) if (settings[name] !== undefined) Object.assign(kept, { [name]: settings[name] });
  return kept;
}

/** Replaces a secondary's per-region settings as a set, as UpdateUserPool replaces settings. */
export async function writeSecondarySettings(vault: PoolVault, poolId: string, settings: PerRegionSettings): Promise<void> {
  await vault.writeLocal(poolId, LOCAL_KIND, LOCAL_ID, pickRegionSettings(settings));
}

/** The pool's settings as this region uses them: on a secondary, its own per-region settings. */
export function withRegionSettings(settings: PoolSettings, secondary: PerRegionSettings | null): PoolSettings {
  if (!secondary) return settings;
  const merged: PoolSettings = { ...settings };
  for (const name of PER_REGION_SETTING_NAMES) delete merged[name];
  return { ...merged, ...secondary };
}

/**
 * Keyed fingerprints of the per-region settings (null when not configured), so regions can be
 * compared without showing a value: the key is the pool's own (HMAC under its index key, the same
 * in every region of the pool), so a low-entropy secret such as an SMS ExternalId cannot be found
 * by hashing guesses.
 */
export function settingFingerprints(records: EncryptedRecords, settings: PerRegionSettings): Record<PerRegionSettingName, string | null> {
  const fingerprints = {} as Record<PerRegionSettingName, string | null>;
  for (const name of PER_REGION_SETTING_NAMES) {
    const value = settings[name];
    const configured = value !== undefined && value !== null && Object.keys(value).length > 0;
    fingerprints[name] = configured ? records.fingerprint(`region-setting/${name}`, canonicalJson(value)).slice(0, 32) : null;
  }
  return fingerprints;
}

/** JSON with object keys sorted, so equal settings give equal text whatever order they came in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
