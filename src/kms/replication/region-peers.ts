import { regionSettingsSchema, type RegionSettings } from '../../config/settings.ts';

/**
 * The other Regions this Region's KMS may replicate keys to (and accept replicas from): for each,
 * its endpoint and the credential the two Regions share. Both sides list each other with the SAME
 * access key id and secret; the sender signs with it and derives the transport key from it, the
 * receiver recognizes it and so knows which Region is calling. This is the `regionPeers` setting:
 * from the region catalog under `serve --catalog`, else `MERIDIAN_REGION_PEERS` (JSON).
 */
export type RegionPeers = RegionSettings['regionPeers'];
export type RegionPeer = RegionPeers[string];

/** Reads MERIDIAN_REGION_PEERS-style JSON; absent or empty means no peers. */
export function parseRegionPeers(json: string | undefined): RegionPeers {
  if (!json) return {};
  return regionSettingsSchema.shape.regionPeers.parse(JSON.parse(json));
}

/** The peer Region whose shared credential has this access key id, if any. */
export function peerByAccessKeyId(peers: RegionPeers, accessKeyId: string): { region: string; peer: RegionPeer } | null {
  for (const [region, peer] of Object.entries(peers)) if (peer.accessKeyId === accessKeyId) return { region, peer };
  return null;
}
