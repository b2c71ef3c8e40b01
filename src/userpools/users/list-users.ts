import type { DecryptedPage, EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { loadPool, withPool } from '../pools/pool-directory.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { normalizeAttribute, normalizeUsername, USER_LOOKUPS } from './user-directory.ts';
import { matchesUserFilter, type UserFilter } from './user-filter.ts';
import { USER_RECORD_KIND, type UserRecord } from './user-record.ts';

/** Records read per store call when a filter has to be checked against decrypted users. */
const SCAN_BATCH = 100;

/**
 * At most this many users are decrypted and checked per ListUsers call. A selective `^=` filter
 * over a large pool would otherwise read the whole pool in one request; instead the page comes
 * back short (possibly empty) with a PaginationToken, which the ListUsers reference allows
 * ("this operation might return fewer items than you specify in the Limit parameter without
 * having reached the end of the full list").
 */
const SCAN_BUDGET = 1000;

/** Attributes whose exact value saveUser indexes (user-directory.ts lookupsOf). */
const INDEXED_ATTRIBUTES = new Set(['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username']);

export interface UserPage {
  users: UserRecord[];
  /** Id of the last user examined, to resume after; null when the listing is complete. */
  next: string | null;
}

/** Pages of users in record-id order, starting after an id. */
export type UserSource = (after: string | null, limit: number) => Promise<DecryptedPage<UserRecord>>;

/**
 * ListUsers: users in record-id order (opaque random ids, so the order means nothing, as in
 * Cognito), optionally filtered.
 *
 * Every source of users, the blind-index lookup for exact matches and the plain record scan for
 * prefix and status filters, walks the same order (record id), so a page token is simply the id of
 * the last user *examined*. Everything up to that id was either returned or rejected by the filter
 * and everything after it is still to come: a chain of tokens never skips or repeats a user, even
 * though a scanning page may hold fewer than Limit users, or none. Users created during the walk
 * appear if their random id falls after the token, as with any cursor.
 */
export async function listUsers(services: UserPoolServices, poolId: string, filter: UserFilter | null, after: string | null, limit: number): Promise<UserPage> {
  return withPool(poolId, () =>
    services.vault.read(poolId, async (records) => {
      const pool = await loadPool(records);
      const matches = filter ? (user: UserRecord) => matchesUserFilter(pool, filter, user) : () => true;
      const indexed = indexedSource(records, pool, filter);
      if (indexed) return collectUsers(indexed, matches, after, limit, { batch: limit });
      return collectUsers((from, size) => records.list<UserRecord>(USER_RECORD_KIND, from, size), matches, after, limit, { batch: SCAN_BATCH });
    }),
  );
}

/**
 * The source that needs no scanning: every user when there is no filter, and the blind index for
 * exact matches on indexed values. Null when the filter has to be checked on decrypted users.
 */
function indexedSource(records: EncryptedRecords, pool: UserPoolRecord, filter: UserFilter | null): UserSource | null {
  if (!filter) return (after, limit) => records.list<UserRecord>(USER_RECORD_KIND, after, limit);
  if (filter.operator !== '=') return null;
  const byLookup = (name: string, value: string): UserSource => (after, limit) => records.listByLookup<UserRecord>(USER_RECORD_KIND, name, value, after, limit);
  if (filter.attribute === 'username') return byLookup(USER_LOOKUPS.username, normalizeUsername(pool, filter.value));
  if (filter.attribute === 'sub') return byLookup(USER_LOOKUPS.sub, filter.value);
  if (INDEXED_ATTRIBUTES.has(filter.attribute)) return byLookup(USER_LOOKUPS.attribute(filter.attribute), normalizeAttribute(filter.attribute, filter.value));
  return null;
}

/**
 * Reads `source` in batches, keeping matching users until `limit` are found, the source ends or
 * SCAN_BUDGET users were examined. Index results are checked too: the index finds candidates, the
 * decrypted record has the final say (a username index is case-folded in case-insensitive pools,
 * the filter's own rules are what the caller asked for).
 */
export async function collectUsers(
  source: UserSource,
  matches: (user: UserRecord) => boolean,
  after: string | null,
  limit: number,
  { batch, budget = SCAN_BUDGET }: { batch: number; budget?: number },
): Promise<UserPage> {
  const users: UserRecord[] = [];
  let cursor = after;
  let examined = 0;
  for (;;) {
    const page = await source(cursor, batch);
    for (let index = 0; index < page.items.length; index += 1) {
      const item = page.items[index]!;
      if (!matches(item.value)) continue;
      users.push(item.value);
      if (users.length === limit) {
        // Resume right after this user: the rest of this batch has not been returned yet. Say
        // "no more" only when nothing that could match is left, to spare an empty last page.
        const rest = page.items.slice(index + 1).some((later) => matches(later.value));
        return { users, next: rest || page.nextAfter !== null ? item.id : null };
      }
    }
    examined += page.items.length;
    if (page.nextAfter === null) return { users, next: null };
    cursor = page.nextAfter;
    if (examined >= budget) return { users, next: cursor };
  }
}
