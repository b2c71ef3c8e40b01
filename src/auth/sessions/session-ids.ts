import { randomBytes } from 'node:crypto';

/**
 * Session ids (`origin_jti`) are UUIDv7 (RFC 9562 §5.7): still opaque UUIDs to clients, but they
 * carry the millisecond the session began. A sign-out watermark can then end exactly the sessions
 * begun before it, even when a new sign-in follows within the same second (JWT `iat` has only
 * one-second precision).
 */
export function newSessionId(now: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The session's start time in ms, or null when the id is not a UUIDv7 we issued. */
export function sessionStartedAt(sessionId: string): number | null {
  const hex = sessionId.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex) || hex[12] !== '7') return null;
  return parseInt(hex.slice(0, 12), 16);
}
