import type { PoolVault } from '../../crypto/pool-vault.ts';
import { NO_FAILURES, type LockoutState } from './lockout-policy.ts';

const LOCKOUT_KIND = 'lockout';

/** Failed-attempt counters, kept as region-local state (docs/SECURITY.md "Lockout"). */
export class LockoutStore {
  constructor(private readonly vault: PoolVault) {}

  async get(poolId: string, userId: string): Promise<LockoutState> {
    return (await this.vault.readLocal<LockoutState>(poolId, LOCKOUT_KIND, userId)) ?? NO_FAILURES;
  }

  set(poolId: string, userId: string, state: LockoutState): Promise<void> {
    return this.vault.writeLocal(poolId, LOCKOUT_KIND, userId, state);
  }
}
