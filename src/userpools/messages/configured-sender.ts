import { ChannelRouter, type MessageSender } from './message-sender.ts';
import { SmtpSender } from './smtp-sender.ts';

export interface MessageSettings {
  /** smtp:// or smtps:// URL; when absent, MERIDIAN_SMTP_URL from the environment. */
  smtpUrl?: string;
  /** Default sender address; when absent, MERIDIAN_SMTP_FROM, else Cognito's default. */
  smtpFrom?: string;
}

/**
 * The region's message sender: with an SMTP URL, email goes out by SMTP and SMS stays in the
 * outbox (Meridian sends no SMS); without one, everything stays in the outbox.
 */
export function configuredSender(settings: MessageSettings, outbox: MessageSender, environment: NodeJS.ProcessEnv = process.env): MessageSender {
  const url = settings.smtpUrl ?? (environment.MERIDIAN_SMTP_URL || undefined);
  if (!url) return outbox;
  const from = settings.smtpFrom ?? (environment.MERIDIAN_SMTP_FROM || undefined);
  return new ChannelRouter(new SmtpSender({ url, ...(from ? { from } : {}) }), outbox);
}
