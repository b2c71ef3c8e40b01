import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { MemoryOutbox, MessageDeliveryFailed, type OutgoingMessage } from '../../../src/userpools/messages/message-sender.ts';
import { configuredSender } from '../../../src/userpools/messages/configured-sender.ts';
import { DEFAULT_FROM, SmtpSender } from '../../../src/userpools/messages/smtp-sender.ts';
import { startTestRegion, type TestRegion } from '../../support/region.ts';
import { SmtpTestServer } from './smtp-test-server.ts';

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  poolId: 'us-east-1_testpool1',
  channel: 'EMAIL',
  destination: 'alice@example.com',
  subject: 'Your verification code',
  body: 'Your verification code is 123456. ',
  purpose: 'sign-up',
  code: '123456',
  username: 'alice',
  at: Date.now(),
  ...overrides,
});

describe('SMTP sender (nodemailer) against an in-process SMTP server', () => {
  let smtp: SmtpTestServer;
  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  test('sends an email with recipient, sender, subject and body', async () => {
    const sender = new SmtpSender({ url: smtp.url });
    await sender.send(message());
    const mail = smtp.received.at(-1)!;
    assert.deepEqual(mail.to, ['alice@example.com']);
    assert.equal(mail.from, DEFAULT_FROM);
    assert.match(mail.data, /^Subject: Your verification code$/m);
    assert.match(mail.data, /Your verification code is 123456\./);

    await new SmtpSender({ url: smtp.url, from: 'ops@example.net' }).send(message({ from: 'pool@example.org' }));
    assert.equal(smtp.received.at(-1)!.from, 'pool@example.org', "the pool's From wins");
    sender.close();
  });

  test('a refused delivery is MessageDeliveryFailed without the message in it', async () => {
    smtp.rejectRecipients = true;
    try {
      const sender = new SmtpSender({ url: smtp.url });
      await assert.rejects(sender.send(message()), (error: unknown) => {
        assert.ok(error instanceof MessageDeliveryFailed);
        assert.doesNotMatch(error.message, /123456|alice/);
        return true;
      });
    } finally {
      smtp.rejectRecipients = false;
    }
    await assert.rejects(new SmtpSender({ url: smtp.url }).send(message({ channel: 'SMS', destination: '+12065550100' })), MessageDeliveryFailed);
    assert.throws(() => new SmtpSender({ url: 'http://127.0.0.1:25' }));
  });

  test('configuredSender: SMTP for email, the outbox for SMS, the outbox alone without a URL', async () => {
    const outbox = new MemoryOutbox();
    assert.equal(configuredSender({}, outbox, {}), outbox);
    const routed = configuredSender({}, outbox, { MERIDIAN_SMTP_URL: smtp.url, MERIDIAN_SMTP_FROM: 'env@example.net' });
    const before = smtp.received.length;
    await routed.send(message({ username: 'routed' }));
    await routed.send(message({ username: 'routed', channel: 'SMS', destination: '+12065550100', subject: undefined }));
    assert.equal(smtp.received.length, before + 1);
    assert.equal(smtp.received.at(-1)!.from, 'env@example.net');
    assert.deepEqual(outbox.list({ username: 'routed' }).map((kept) => kept.channel), ['SMS']);
  });

  describe('a region configured with smtpUrl', () => {
    let region: TestRegion;
    before(async () => {
      region = await startTestRegion({ smtpUrl: smtp.url, smtpFrom: 'no-reply@meridian.test' });
    });
    after(async () => {
      await region.stop();
    });

    const poolWithClient = async (pool: Partial<CreateUserPoolCommandInput>) => {
      const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp', ...pool }))).UserPool!.Id!;
      const clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app' }))).UserPoolClient!.ClientId!;
      return { poolId, clientId };
    };

    test('sign-up codes go out by SMTP; SMS codes stay in the outbox; a refused email is CodeDeliveryFailureException', async () => {
      const email = await poolWithClient({ AutoVerifiedAttributes: ['email'], EmailVerificationSubject: 'Confirm your account' });
      await region.cognito.send(
        new SignUpCommand({ ClientId: email.clientId, Username: 'mia', Password: 'Smtp-Passw0rd!', UserAttributes: [{ Name: 'email', Value: 'mia@example.com' }] }),
      );
      const mail = smtp.received.at(-1)!;
      assert.deepEqual(mail.to, ['mia@example.com']);
      assert.equal(mail.from, 'no-reply@meridian.test');
      assert.match(mail.data, /^Subject: Confirm your account$/m);
      assert.match(mail.data, /Your verification code is \d{6}\./);
      assert.equal((await region.region.outbox.read({ poolId: email.poolId })).length, 0, 'email sent by SMTP is not kept');

      const sms = await poolWithClient({ AutoVerifiedAttributes: ['phone_number'] });
      await region.cognito.send(
        new SignUpCommand({ ClientId: sms.clientId, Username: 'ned', Password: 'Smtp-Passw0rd!', UserAttributes: [{ Name: 'phone_number', Value: '+12065550111' }] }),
      );
      const [kept] = await region.region.outbox.read({ poolId: sms.poolId, username: 'ned' });
      assert.equal(kept?.channel, 'SMS');
      assert.match(kept!.code!, /^\d{6}$/);

      smtp.rejectRecipients = true;
      try {
        await assert.rejects(
          region.cognito.send(
            new SignUpCommand({ ClientId: email.clientId, Username: 'olga', Password: 'Smtp-Passw0rd!', UserAttributes: [{ Name: 'email', Value: 'olga@example.com' }] }),
          ),
          { name: 'CodeDeliveryFailureException' },
        );
      } finally {
        smtp.rejectRecipients = false;
      }
    });
  });
});
