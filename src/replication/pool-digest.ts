import { createHash } from 'node:crypto';
import { PoolMissing, type SnapshotCursor, type Store } from '../store/store.ts';

const PAGE_SIZE = 500;

/**
 * SHA-256 (hex) over every record of a pool in (kind, id) order: kind, id, payload bytes and the
 * index entries sorted by the store (routes included), each field length-prefixed so no two
 * different contents hash alike. Equal on a primary and a replica that has applied every change,
 * which is how a replica is verified; region-local state and the wrapped key are not part of it.
 * Read page by page, so it is only exact while the pool is not being written.
 */
export async function poolDigest(store: Store, poolId: string): Promise<string> {
  const hash = createHash('sha256');
  const field = (value: Buffer | string) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  let cursor: SnapshotCursor | null = null;
  do {
    const page = await store.snapshot(poolId, cursor, PAGE_SIZE, { countRecords: false });
    if (!page) throw new PoolMissing(poolId);
    for (const record of page.records) {
      field(record.kind);
      field(record.id);
      field(record.payload);
      field(String(record.indexes.length));
      for (const index of record.indexes) field(JSON.stringify([index.name, index.digest, index.unique, index.route === true]));
    }
    cursor = page.next;
  } while (cursor);
  return hash.digest('hex');
}
