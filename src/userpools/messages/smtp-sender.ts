import nodemailer, { type Transporter } from 'nodemailer';
import { MessageDeliveryFailed, type MessageSender, type OutgoingMessage } from './message-sender.ts';

/** Cognito's own sender address when a pool does not set EmailConfiguration.From. */
export const DEFAULT_FROM = 'no-reply@verificationemail.com';

/**
 * Bounds on one SMTP exchange, so a slow mail server cannot hold a sign-up request for minutes
 * (nodemailer's defaults are 2 and 10 minutes). Values given in the URL's query win.
 */
const DEFAULT_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export interface SmtpSenderOptions {
  /** smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://... (TLS); nodemailer URL options in the query. */
  url: string;
  /** Sender address when the message names none (the pool's EmailConfiguration.From). */
  from?: string;
}

/**
 * Sends email-channel messages through an SMTP server with nodemailer. Never logs: nodemailer's
 * logger is off by default, and a failure becomes MessageDeliveryFailed carrying only the SMTP
 * error code, never the message, its code or its recipient.
 */
export class SmtpSender implements MessageSender {
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpSenderOptions) {
    if (!/^smtps?:\/\//i.test(options.url)) throw new Error('the SMTP URL must start with smtp:// or smtps://');
    const url = new URL(options.url);
    for (const [name, value] of Object.entries(DEFAULT_TIMEOUTS)) if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
    this.transport = nodemailer.createTransport(url.toString());
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.channel !== 'EMAIL') throw new MessageDeliveryFailed(message.channel, 'the SMTP sender only sends email');
    try {
      await this.transport.sendMail({
        from: message.from ?? this.options.from ?? DEFAULT_FROM,
        to: message.destination,
        subject: message.subject ?? '',
        text: message.body,
      });
    } catch (error) {
      const code = (error as { code?: unknown; responseCode?: unknown }).responseCode ?? (error as { code?: unknown }).code;
      throw new MessageDeliveryFailed('EMAIL', `SMTP error ${typeof code === 'string' || typeof code === 'number' ? code : 'unknown'}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
