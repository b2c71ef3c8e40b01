import type { PoolVault } from '../../crypto/pool-vault.ts';
import { MemoryOutbox, type OutgoingMessage } from './message-sender.ts';

/** Region-local state kind of a pool's outbox (one entry per pool, id OUTBOX_ID). */
export const OUTBOX_KIND = 'outbox';
const OUTBOX_ID = 'messages';

/** What the outbox keeps of a message, and what the admin endpoint and CLI show. */
export interface OutboxEntry {
  poolId: string;
  username: string;
  channel: 'EMAIL' | 'SMS';
  destination: string;
  purpose: string;
  code?: string;
  /** Epoch milliseconds. */
  at: number;
}

/**
 * The default message sender when nothing delivers messages for real (all messages without SMTP;
 * SMS always). It keeps the last `perPool` messages of each pool as region-local state, sealed
 * with the pool's record key like every record (never plaintext on disk, never replicated, gone
 * with the pool), so operators can read codes from any process of the region and after a
 * restart. Bodies are not kept: the code, destination and purpose are what an operator needs.
 *
 * It also keeps this process's recent messages in memory, bodies included (`list`, inherited),
 * for in-process tests.
 *
 * Adding a message is one atomic read-modify-write in the store (PoolVault.updateLocal), so the
 * processes of one region (`serve --workers`, servers sharing a PostgreSQL) never drop each
 * other's entries.
 */
export class PoolOutbox extends MemoryOutbox {
  constructor(private readonly vault: Pick<PoolVault, 'readLocal' | 'updateLocal'>, private readonly perPool = 100) {
    super();
  }

  override async send(message: OutgoingMessage): Promise<void> {
    await this.vault.updateLocal<OutboxEntry[], void>(message.poolId, OUTBOX_KIND, OUTBOX_ID, (entries) => ({
      value: [...(entries ?? []), entryOf(message)].slice(-this.perPool),
      result: undefined,
    }));
    await super.send(message);
  }

  /** The pool's kept messages, oldest first; `username` is the stored (Cognito) username. */
  async read(filter: { poolId: string; username?: string }): Promise<OutboxEntry[]> {
    const entries = await this.vault.readLocal<OutboxEntry[]>(filter.poolId, OUTBOX_KIND, OUTBOX_ID);
    return (entries ?? []).filter((entry) => filter.username === undefined || entry.username === filter.username);
  }
}

function entryOf(message: OutgoingMessage): OutboxEntry {
  return {
    poolId: message.poolId,
    username: message.username,
    channel: message.channel,
    destination: message.destination,
    purpose: message.purpose,
    ...(message.code !== undefined ? { code: message.code } : {}),
    at: message.at,
  };
}
