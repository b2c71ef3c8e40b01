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
  /** The pool's EmailConfiguration.From, when it sets one (email senders use it). */
  from?: string;
  at: number;
}

export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * Raised by a sender that could not hand a message over (SMTP refused, unreachable). Carries no
 * detail of the message: callers turn it into Cognito's CodeDeliveryFailureException.
 */
export class MessageDeliveryFailed extends Error {
  constructor(readonly channel: 'EMAIL' | 'SMS', reason: string) {
    super(`could not deliver the ${channel} message: ${reason}`);
    this.name = 'MessageDeliveryFailed';
  }
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

/** Sends email through `email` and everything else (SMS) through `other`. */
export class ChannelRouter implements MessageSender {
  constructor(private readonly email: MessageSender, private readonly other: MessageSender) {}

  send(message: OutgoingMessage): Promise<void> {
    return message.channel === 'EMAIL' ? this.email.send(message) : this.other.send(message);
  }
}
