import type { PoolSettings } from '../pools/pool-settings.ts';

/** Fills Cognito's message placeholders: `{username}` and `{####}` (the code or password). */
export function fillTemplate(template: string, values: { username: string; code: string }): string {
  return template.replaceAll('{username}', values.username).replaceAll('{####}', values.code);
}

/** Cognito's default invitation (AdminCreateUserConfig.InviteMessageTemplate). */
export const DEFAULT_INVITATION = {
  subject: 'Your temporary password',
  body: 'Your username is {username} and temporary password is {####}.',
};

/** Cognito's default verification message (CreateUserPool: EmailVerificationMessage, SmsVerificationMessage). */
export const DEFAULT_VERIFICATION = {
  subject: 'Your verification code',
  body: 'Your verification code is {####}. ',
};

export interface MessageTemplate {
  subject?: string;
  fill(values: { username: string; code: string }): string;
}

/**
 * The code template of a pool, for sign-up confirmation, resent codes and password reset:
 * VerificationMessageTemplate first, then the older EmailVerificationMessage /
 * EmailVerificationSubject / SmsVerificationMessage, then Cognito's defaults. Link-style
 * confirmation (CONFIRM_WITH_LINK) needs the hosted pages, so codes are always sent.
 */
export function verificationMessage(settings: PoolSettings, channel: 'EMAIL' | 'SMS'): MessageTemplate {
  const template = settings.VerificationMessageTemplate;
  if (channel === 'SMS') {
    const body = template?.SmsMessage ?? settings.SmsVerificationMessage ?? DEFAULT_VERIFICATION.body;
    return { fill: (values) => fillTemplate(body, values) };
  }
  const body = template?.EmailMessage ?? settings.EmailVerificationMessage ?? DEFAULT_VERIFICATION.body;
  return {
    subject: template?.EmailSubject ?? settings.EmailVerificationSubject ?? DEFAULT_VERIFICATION.subject,
    fill: (values) => fillTemplate(body, values),
  };
}
