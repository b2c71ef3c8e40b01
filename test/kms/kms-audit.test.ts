import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import { auditLines } from '../../src/cli/kms-audit-command.ts';
import type { AuditEventEntry } from '../../src/kms/kms-client.ts';
import { startTestRegion, TEST_ADMIN, TestClock, type TestRegion } from '../support/region.ts';
import { COGNITO, inProcess, kmsClient, rejectsWith, ROOT_ARN } from './kms-support.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
const run = promisify(execFile);

describe('KMS audit log', () => {
  let region: TestRegion;
  let kms: KMSClient;
  const clock = new TestClock();
  before(async () => {
    region = await startTestRegion({}, { now: clock.now });
    kms = kmsClient(region);
  });
  after(async () => {
    kms.destroy();
    await region.stop();
  });

  const admin = () => inProcess(region, { arn: ROOT_ARN });
  const eventsOf = async (KeyId: string): Promise<AuditEventEntry[]> => (await admin().listAuditEvents({ KeyId, Limit: 1000 })).Events;

  test('every call is recorded with principal, action, key, context, outcome and request id; never plaintext', async () => {
    const plaintext = `audit-plaintext-${Date.now()}`;
    const created = await kms.send(new CreateKeyCommand({}));
    const KeyId = created.KeyMetadata!.KeyId!;
    const context = { userPoolId: 'us-east-1_audited' };
    const encrypted = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(plaintext), EncryptionContext: context }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }));
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { userPoolId: 'other' } })), 'InvalidCiphertextException');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }));
    await rejectsWith(inProcess(region, { service: COGNITO }).decrypt({ CiphertextBlob: Buffer.from(encrypted.CiphertextBlob!), EncryptionContext: context }), 'AccessDeniedException');

    const events = await eventsOf(KeyId);
    assert.deepEqual(
      events.map((event) => [event.Action, event.Principal, event.Outcome, event.EncryptionContext?.userPoolId ?? null]),
      [
        ['CreateKey', ROOT_ARN, 'success', null],
        ['Encrypt', ROOT_ARN, 'success', 'us-east-1_audited'],
        ['Decrypt', ROOT_ARN, 'success', 'us-east-1_audited'],
        ['Decrypt', ROOT_ARN, 'InvalidCiphertextException', 'other'],
        ['GenerateDataKey', ROOT_ARN, 'success', 'us-east-1_audited'],
        ['Decrypt', COGNITO, 'AccessDeniedException', 'us-east-1_audited'],
      ],
    );
    assert.ok(events.every((event) => event.KeyId === KeyId));
    assert.equal(events[0]!.RequestId, created.$metadata.requestId, 'the wire request id');
    assert.equal(events[2]!.RequestId, decrypted.$metadata.requestId);
    assert.ok(events.every((event) => Math.abs(event.EventTime.getTime() - clock.now()) < 5000));

    const dump = JSON.stringify(await admin().listAuditEvents({ Limit: 1000 }));
    const secrets = [Buffer.from(plaintext), Buffer.from(dataKey.Plaintext!)];
    for (const secret of secrets) {
      for (const form of [secret.toString('utf8'), secret.toString('base64'), secret.toString('hex')]) assert.ok(!dump.includes(form), 'no plaintext or data key in the audit log');
    }
    const database = new Database(join(region.dataDir, 'us-east-1.kms.db'), { readonly: true });
    const raw = JSON.stringify(database.prepare('SELECT * FROM kms_audit_events').all());
    database.close();
    for (const secret of secrets) assert.ok(!raw.includes(secret.toString('base64')) && !raw.includes(secret.toString('hex')) && !raw.includes(plaintext));
  });

  test('a refused call names the key it was about, and unknown keys are recorded as asked', async () => {
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-00000000abcd' })), 'NotFoundException');
    const events = await eventsOf('00000000-0000-4000-8000-00000000abcd');
    assert.deepEqual(events.map((event) => [event.Action, event.Outcome]), [['DescribeKey', 'NotFoundException']]);
  });

  test('ListAuditEvents filters by action and time, and pages', async () => {
    const { KeyId } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    for (let i = 0; i < 3; i += 1) await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
    clock.advance(60 * 60 * 1000);
    const later = new Date(clock.now());
    await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('y') }));
    await kms.send(new DescribeKeyCommand({ KeyId }));

    const encrypts = await admin().listAuditEvents({ KeyId: KeyId!, Action: 'Encrypt' });
    assert.equal(encrypts.Events.length, 4);
    const recent = await admin().listAuditEvents({ KeyId: KeyId!, Since: later });
    assert.deepEqual(recent.Events.map((event) => event.Action), ['Encrypt', 'DescribeKey']);
    const first = await admin().listAuditEvents({ KeyId: KeyId!, Limit: 2 });
    assert.equal(first.Truncated, true);
    const second = await admin().listAuditEvents({ KeyId: KeyId!, Limit: 10, Marker: first.NextMarker! });
    assert.equal(first.Events.length + second.Events.length, 6);
    assert.equal(second.Truncated, false);
    await rejectsWith(inProcess(region, { service: COGNITO }).listAuditEvents({}), 'AccessDeniedException');
  });

  test('the audit table is append-only', async () => {
    await kms.send(new CreateKeyCommand({}));
    const database = new Database(join(region.dataDir, 'us-east-1.kms.db'));
    try {
      assert.throws(() => database.prepare("UPDATE kms_audit_events SET outcome = 'success'").run(), /append-only/);
      assert.throws(() => database.prepare('DELETE FROM kms_audit_events').run(), /append-only/);
    } finally {
      database.close();
    }
  });

  test('meridian kms audit prints JSON lines, signed with the admin credentials from the environment', async () => {
    const { KeyId } = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('cli'), EncryptionContext: { app: 'cli' } }));
    const environment = { ...process.env, MERIDIAN_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey };
    const { stdout } = await run(process.execPath, [MERIDIAN_BIN, 'kms', 'audit', '--endpoint', region.url, '--key-id', KeyId!], { env: environment });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((line) => [line.action, line.outcome, line.principal]), [
      ['CreateKey', 'success', ROOT_ARN],
      ['Encrypt', 'success', ROOT_ARN],
    ]);
    assert.deepEqual(lines[1]!.encryptionContext, { app: 'cli' });
    assert.ok(!Number.isNaN(Date.parse(String(lines[0]!.time))));

    const filtered = await run(process.execPath, [MERIDIAN_BIN, 'kms', 'audit', '--endpoint', region.url, '--action', 'Encrypt', '--key-id', KeyId!, '--since', new Date(clock.now() - 1000).toISOString()], { env: environment });
    assert.equal(filtered.stdout.trim().split('\n').length, 1);

    // The generator behind the command pages through everything (small pages here).
    let count = 0;
    for await (const line of auditLines({ endpoint: region.url, region: 'us-east-1', limit: '3' }, environment)) {
      assert.equal(typeof line.action, 'string');
      count += 1;
    }
    assert.equal(count, 3);

    const refused = await run(process.execPath, [MERIDIAN_BIN, 'kms', 'audit', '--endpoint', region.url], {
      env: { ...environment, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: 'wrong-secret-0123456789abcdef' },
    }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((refused as { code: number }).code, 1);
    assert.match((refused as { stderr: string }).stderr, /InvalidSignatureException/);
  });
});
