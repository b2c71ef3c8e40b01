import { signOutEverywhere } from '../../auth/sessions/revocation.ts';
import type { AuthenticatedUser } from '../auth/access-token.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolServices } from '../services.ts';
import { requireUser } from '../users/user-directory.ts';

/**
 * GlobalSignOut (Cognito API reference): "revokes all of the requesting user's refresh, ID, and
 * access tokens", including the access token that asked.
 */
export async function globalSignOut(services: UserPoolServices, auth: AuthenticatedUser): Promise<void> {
  await withPool(auth.pool.id, () => services.vault.write(auth.pool.id, (records) => signOutEverywhere(records, auth.user.id, services.now())));
}

/** AdminUserGlobalSignOut: the same for a user an administrator names by Cognito's `Username`. */
export async function adminUserGlobalSignOut(services: UserPoolServices, poolId: string, username: string): Promise<void> {
  await withPool(poolId, () =>
    services.vault.write(poolId, async (records) => {
      const user = await requireUser(records, await loadPool(records), username);
      await signOutEverywhere(records, user.id, services.now());
    }),
  );
}
