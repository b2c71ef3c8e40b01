/**
 * Where user-facing messages (invitations, confirmation and reset codes) go. The default sender
 * keeps them in an outbox operators and tests can read; real senders (SMTP) implement the same.
 * Messages carry secrets (codes, temporary passwords): senders must never log their bodies.
 */
export interface OutgoingMessage {
  poolId: string;
  channel: 'EMAIL' | 'SMS';
  destination: string;
  subject?: string;
  body: string;
  /** Why it was sent, e.g. `invitation`, `sign-up`, `forgot-password`. */
  purpose: string;
  /** The code or temporary password in the body, kept apart so tests need not parse bodies. */
  code?: string;
  username: string;
  at: number;
}

export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

/** Keeps the most recent messages in memory, per process; readable through the outbox API. */
export class MemoryOutbox implements MessageSender {
  private readonly messages: OutgoingMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.shift();
  }

  list(filter: { poolId?: string; username?: string } = {}): OutgoingMessage[] {
    return this.messages.filter(
      (message) => (!filter.poolId || message.poolId === filter.poolId) && (!filter.username || message.username === filter.username),
    );
  }
}
