import type { PoolVault } from '../../crypto/pool-vault.ts';
import { NO_FAILURES, recordFailure, type LockoutState } from './lockout-policy.ts';

const LOCKOUT_KIND = 'lockout';

/**
 * Failed-attempt counters, kept as region-local state (docs/SECURITY.md "Lockout"). Changes are
 * atomic read-modify-writes in the store (PoolVault.updateLocal): the processes of one region
 * (`serve --workers`, or servers sharing a PostgreSQL) count every failure, none overwriting
 * another's.
 */
export class LockoutStore {
  constructor(private readonly vault: Pick<PoolVault, 'readLocal' | 'updateLocal'>) {}

  async get(poolId: string, userId: string): Promise<LockoutState> {
    return (await this.vault.readLocal<LockoutState>(poolId, LOCKOUT_KIND, userId)) ?? NO_FAILURES;
  }

  /** Counts one more failed attempt at `now`; returns the new state. */
  noteFailure(poolId: string, userId: string, now: number): Promise<LockoutState> {
    return this.vault.updateLocal<LockoutState, LockoutState>(poolId, LOCKOUT_KIND, userId, (current) => {
      const next = recordFailure(current ?? NO_FAILURES, now);
      return { value: next, result: next };
    });
  }

  /**
   * Resets the count after a success. Writes only when there is something to reset, so a
   * sign-in without earlier failures writes nothing; `known` is the state the caller read for
   * this sign-in already (guardLockout), which spares reading it again.
   */
  async clear(poolId: string, userId: string, known?: LockoutState): Promise<void> {
    if ((known ?? (await this.get(poolId, userId))).failures === 0) return;
    await this.vault.updateLocal<LockoutState, void>(poolId, LOCKOUT_KIND, userId, (current) => ({
      value: current && current.failures > 0 ? NO_FAILURES : null,
      result: undefined,
    }));
  }
}
