import type { IndexEntry, PoolEntry, ReplicatedChange, SnapshotCursor, SnapshotRecord } from '../store/store.ts';

/**
 * The JSON shapes of the change feed (change-feed-routes.ts serves them, replica-puller.ts reads
 * them). Bytes travel base64: payloads and the wrapped data key are shipped exactly as stored.
 */
export interface SnapshotPageMessage {
  pool: { poolId: string; wrappedDataKey: string; keyReference: string; lastSequence: number; createdAt: number };
  records: Array<{ kind: string; id: string; payload: string; indexes: IndexEntry[] }>;
  /** Opaque cursor for the next page (`?cursor=`), null on the last page. */
  nextCursor: string | null;
  /** Records in the pool, counted for the first page (no cursor); -1 on later pages. */
  totalRecords: number;
}

export interface ChangesMessage {
  changes: Array<{
    sequence: number;
    kind: string;
    id: string;
    operation: 'put' | 'delete';
    payload: string | null;
    indexes: IndexEntry[];
    at: number;
    keyReference?: string;
  }>;
  /** The primary's last sequence when the batch was read: lag = lastSequence - applied. */
  lastSequence: number;
  /**
   * How long the primary was willing to hold this request for a change (the `waitMs` it honoured;
   * 0 when it answered at once). Absent from primaries without long-poll.
   */
  waitMs?: number;
}

export function encodeCursor(cursor: SnapshotCursor): string {
  return Buffer.from(JSON.stringify([cursor.kind, cursor.id])).toString('base64url');
}

/** The cursor, or null when it is not one this feed produced. */
export function decodeCursor(text: string): SnapshotCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { kind: value[0], id: value[1] };
    }
  } catch {
    // not base64url JSON: answered as a bad parameter by the caller
  }
  return null;
}

export function poolEntryOf(message: SnapshotPageMessage['pool']): PoolEntry {
  return { ...message, wrappedDataKey: Buffer.from(message.wrappedDataKey, 'base64') };
}

export function snapshotRecordsOf(message: SnapshotPageMessage): SnapshotRecord[] {
  return message.records.map((record) => ({ ...record, payload: Buffer.from(record.payload, 'base64') }));
}

export function changesOf(poolId: string, message: ChangesMessage): ReplicatedChange[] {
  return message.changes.map((change) => ({ ...change, poolId, payload: change.payload === null ? null : Buffer.from(change.payload, 'base64') }));
}
