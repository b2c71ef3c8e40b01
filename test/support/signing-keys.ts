import { SIGNING_KEY_KIND } from '../../src/auth/tokens/signing-keys.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Deletes a pool's signing-key records behind the service's back (what lost or tampered records
 * would leave), for tests of how a pool that cannot sign is answered. The region must not have
 * loaded the keys yet (it caches them for up to a minute). Returns how many were deleted.
 */
export async function dropSigningKeys(store: Store, poolId: string): Promise<number> {
  return store.transaction(poolId, async (tx) => {
    const page = await tx.list(SIGNING_KEY_KIND, null, 100);
    for (const record of page.records) await tx.delete(SIGNING_KEY_KIND, record.id);
    return page.records.length;
  });
}
