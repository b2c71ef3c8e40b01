import type { DecryptedPage } from '../../crypto/encrypted-records.ts';
import type { PoolVault } from '../../crypto/pool-vault.ts';
import { loadSigningKeys, SIGNING_KEY_KIND, type PoolSigningKeys, type SigningKeyRecord } from './signing-keys.ts';

/**
 * Parsed signing keys per pool. Parsing PEM and deriving JWKs costs more than a signature, so keys
 * are kept for a short time; the lifetime is the data-key cache's, so a pool whose KMS key is cut
 * off also stops signing within the same bound.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, { keys: Promise<PoolSigningKeys>; expiresAt: number }>();

  constructor(private readonly vault: PoolVault, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  keysFor(poolId: string): Promise<PoolSigningKeys> {
    const cached = this.entries.get(poolId);
    if (cached && cached.expiresAt > this.now()) return cached.keys;
    const keys = this.vault.read(poolId, async (records) => {
      const stored: SigningKeyRecord[] = [];
      let after: string | null = null;
      do {
        const page: DecryptedPage<SigningKeyRecord> = await records.list<SigningKeyRecord>(SIGNING_KEY_KIND, after, 100);
        stored.push(...page.items.map((item) => item.value));
        after = page.nextAfter;
      } while (after);
      return loadSigningKeys(poolId, stored);
    });
    const entry = { keys, expiresAt: this.now() + this.ttlMs };
    this.entries.set(poolId, entry);
    keys.catch(() => {
      if (this.entries.get(poolId) === entry) this.entries.delete(poolId);
    });
    return keys;
  }

  forget(poolId: string): void {
    this.entries.delete(poolId);
  }
}
