import { PER_REGION_SETTING_NAMES } from './per-region-settings.ts';

/** One region of the pool as the checklist sees it. */
export interface ChecklistRegion {
  RegionName: string;
  Role: 'PRIMARY' | 'SECONDARY';
  Status: string;
  /** Fingerprints of its per-region settings, or null when the region could not be asked. */
  Settings: Record<string, string | null> | null;
}

export interface FailoverChecklist {
  PrimaryRegion: string;
  Regions: Array<{ RegionName: string; Role: string; Status: string; Reachable: boolean }>;
  Settings: Array<{
    Name: string;
    /** Configured in every region (unknown regions count as not configured). */
    ConfiguredEverywhere: boolean;
    /** Every secondary's fingerprint equals the primary's. */
    MatchesPrimaryEverywhere: boolean;
    Regions: Array<{ RegionName: string; Configured: boolean | null; MatchesPrimary: boolean | null; Fingerprint: string | null }>;
  }>;
  /** Every setting configured everywhere and every region reachable: nothing to do before a failover. */
  Ready: boolean;
}

/**
 * The failover checklist: for each per-region setting (never replicated, so each secondary needs
 * its own before it takes traffic), whether each region has it and whether it differs from the
 * primary's. Values are never shown, only keyed fingerprints (regions/per-region-settings.ts).
 * "Differs" is information, not a fault: a secondary often should send email from its own region.
 */
export function failoverChecklist(regions: ChecklistRegion[]): FailoverChecklist {
  const primary = regions.find((region) => region.Role === 'PRIMARY');
  const settings = PER_REGION_SETTING_NAMES.map((name) => {
    const primaryFingerprint = primary?.Settings ? (primary.Settings[name] ?? null) : undefined;
    const perRegion = regions.map((region) => {
      if (!region.Settings) return { RegionName: region.RegionName, Configured: null, MatchesPrimary: null, Fingerprint: null };
      const fingerprint = region.Settings[name] ?? null;
      return {
        RegionName: region.RegionName,
        Configured: fingerprint !== null,
        MatchesPrimary: primaryFingerprint === undefined ? null : fingerprint === primaryFingerprint,
        Fingerprint: fingerprint,
      };
    });
    return {
      Name: name,
      ConfiguredEverywhere: perRegion.every((region) => region.Configured === true),
      MatchesPrimaryEverywhere: perRegion.every((region) => region.MatchesPrimary === true),
      Regions: perRegion,
    };
  });
  return {
    PrimaryRegion: primary?.RegionName ?? '',
    Regions: regions.map((region) => ({ RegionName: region.RegionName, Role: region.Role, Status: region.Status, Reachable: region.Settings !== null })),
    Settings: settings,
    Ready: regions.every((region) => region.Settings !== null) && settings.every((setting) => setting.ConfiguredEverywhere),
  };
}
