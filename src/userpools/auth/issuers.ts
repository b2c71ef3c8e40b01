import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';

/**
 * Token issuers (COGNITO-FACTS "Tokens"). IssuerConfiguration ORIGINAL: the region's own
 * `<public URL>/<poolId>`; UPDATED: the global `<global issuer URL>/<poolId>`, the same in every
 * region, so tokens from one region verify in another. Without a global URL (a lone `serve`), the
 * region's public URL stands in for it.
 */
export function regionIssuer(services: UserPoolServices, poolId: string): string {
  return `${services.publicUrl}/${poolId}`;
}

export function globalIssuer(services: UserPoolServices, poolId: string): string {
  return `${(services.globalIssuerUrl ?? services.publicUrl).replace(/\/$/, '')}/${poolId}`;
}

export function issuerOfPool(services: UserPoolServices, pool: UserPoolRecord): string {
  return pool.settings.IssuerConfiguration?.Type === 'UPDATED' ? globalIssuer(services, pool.id) : regionIssuer(services, pool.id);
}

/** The issuer of the pool whose records are open (token issuance inside a transaction or view). */
export async function issuerOfRecords(services: UserPoolServices, records: EncryptedRecords): Promise<string> {
  return issuerOfPool(services, await loadPool(records));
}

/** The issuer of a pool by id (discovery, M2M tokens). */
export async function issuerOf(services: UserPoolServices, poolId: string): Promise<string> {
  return withPool(poolId, () => services.vault.read(poolId, (records) => issuerOfRecords(services, records)));
}

/**
 * Issuers a token of this pool may carry here: this region's (ORIGINAL) and the global one
 * (UPDATED). A switch of IssuerConfiguration leaves tokens already issued valid until they expire.
 */
export function acceptedIssuers(services: UserPoolServices, poolId: string): string[] {
  return [...new Set([regionIssuer(services, poolId), globalIssuer(services, poolId)])];
}
