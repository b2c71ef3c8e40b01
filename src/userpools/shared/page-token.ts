import { InvalidParameterException } from '../errors.ts';

/**
 * Pagination tokens: the last id of the previous page, tagged with what is being listed so a token
 * from one listing is refused by another. Ids are opaque random values, never personal data.
 */
export function encodePageToken(lastId: string, listing: string): string {
  return Buffer.from(JSON.stringify([listing, lastId])).toString('base64url');
}

export function decodePageToken(token: string, listing: string): string {
  try {
    const [tag, lastId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (tag === listing && typeof lastId === 'string') return lastId;
  } catch {
    // fall through: malformed tokens get the same answer as foreign ones
  }
  throw new InvalidParameterException('Invalid pagination token.');
}
