import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { requireTokenUser, type AuthenticatedUser } from '../auth/access-token.ts';
import { NotAuthorizedException, UserNotFoundException } from '../errors.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { changeUser } from '../users/user-changes.ts';
import { USER_RECORD_KIND, type UserRecord } from '../users/user-record.ts';

/**
 * Token-authorized writes authenticate with a read (authenticateAccessToken) and write afterwards.
 * A sign-out, disable, reset or delete that commits in between must still win, so the write
 * transaction checks again, with authenticateAccessToken's own checks, that the token's user is
 * the one it found and may still act.
 */
export function confirmSignedIn(records: EncryptedRecords, auth: AuthenticatedUser, user: UserRecord | null): Promise<UserRecord> {
  return requireTokenUser(records, user?.id === auth.user.id ? user : null, auth.sessionId);
}

/** Changes the signed-in user through changeUser (one transaction, fresh lookups), after confirmSignedIn. */
export async function changeSignedInUser(
  services: UserPoolServices,
  auth: AuthenticatedUser,
  change: (user: UserRecord, pool: UserPoolRecord, records: EncryptedRecords) => UserRecord | Promise<UserRecord>,
): Promise<UserRecord> {
  try {
    return await changeUser(services, auth.pool.id, auth.user.username, async (user, pool, records) => change(await confirmSignedIn(records, auth, user), pool, records));
  } catch (error) {
    // Deleted since the token was checked: the token's user no longer exists.
    if (error instanceof UserNotFoundException) throw new NotAuthorizedException('User does not exist.');
    throw error;
  }
}

/** Runs `work` in a write transaction of the token's pool, with the signed-in user confirmed. */
export function withSignedInUser<T>(
  services: UserPoolServices,
  auth: AuthenticatedUser,
  work: (user: UserRecord, pool: UserPoolRecord, records: EncryptedRecords) => Promise<T>,
): Promise<T> {
  const poolId = auth.pool.id;
  return withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const user = await confirmSignedIn(records, auth, await records.get<UserRecord>(USER_RECORD_KIND, auth.user.id));
      return work(user, await loadPool(records), records);
    }),
  );
}
