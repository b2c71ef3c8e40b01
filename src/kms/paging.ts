import { InvalidMarkerException, ValidationException } from './errors.ts';
import type { PageResult } from './kms-client.ts';

/**
 * List paging as KMS does it: `Limit` bounds a page, `NextMarker` (opaque) continues it and
 * `Truncated` says whether there is more. The marker is base64url JSON of where the page ended.
 */
export function pageLimit(limit: number | undefined, defaultLimit: number, maximum: number): number {
  if (limit === undefined) return defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maximum) {
    throw new ValidationException(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${maximum}`);
  }
  return limit;
}

export function encodeMarker(position: string | number): string {
  return Buffer.from(JSON.stringify({ after: position })).toString('base64url');
}

export function decodeMarker<T extends string | number>(marker: string | undefined, kind: 'string' | 'number'): T | null {
  if (marker === undefined) return null;
  try {
    const { after } = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as { after: unknown };
    if (typeof after === kind) return after as T;
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidMarkerException('The marker is not valid: pass the NextMarker of the previous response.');
}

/** Splits one row beyond the limit off into `Truncated` / `NextMarker`. */
export function pageOf<T>(rows: T[], limit: number, positionOf: (row: T) => string | number): { items: T[] } & PageResult {
  if (rows.length <= limit) return { items: rows, Truncated: false };
  const items = rows.slice(0, limit);
  return { items, Truncated: true, NextMarker: encodeMarker(positionOf(items[items.length - 1]!)) };
}
