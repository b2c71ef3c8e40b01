import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { adminCredentialsFile, readAdminCredentials, resolveAdminCredentials } from '../../src/cli/admin-credentials.ts';
import { auditLines } from '../../src/cli/kms-audit-command.ts';
import { fetchOutbox } from '../../src/cli/outbox-command.ts';

const FROM_ENV = { MERIDIAN_ADMIN_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT1', MERIDIAN_ADMIN_SECRET_ACCESS_KEY: 'secret-from-the-environment' };
const SAVED = { accessKeyId: 'AKIAFROMTHEFILE00001', secretAccessKey: 'secret-from-the-file' };

describe('admin credentials: one lookup for every command', () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  const folder = (withFile: boolean) => {
    const created = mkdtempSync(join(tmpdir(), 'meridian-admin-credentials-'));
    folders.push(created);
    if (withFile) writeFileSync(adminCredentialsFile(created), JSON.stringify(SAVED), { mode: 0o600 });
    return created;
  };

  test('the environment when both variables are set, else the file in the directory, else none', () => {
    const saved = folder(true);
    assert.deepEqual(readAdminCredentials(saved, FROM_ENV), { accessKeyId: FROM_ENV.MERIDIAN_ADMIN_ACCESS_KEY_ID, secretAccessKey: FROM_ENV.MERIDIAN_ADMIN_SECRET_ACCESS_KEY });
    assert.deepEqual(readAdminCredentials(saved, { MERIDIAN_ADMIN_ACCESS_KEY_ID: 'AKIAHALFSET000000001' }), SAVED);
    assert.deepEqual(readAdminCredentials(saved, {}), SAVED);
    assert.equal(readAdminCredentials(folder(false), {}), null);
    assert.equal(readAdminCredentials(null, {}), null, 'no directory: the environment only');
    assert.deepEqual(readAdminCredentials(null, FROM_ENV)?.accessKeyId, FROM_ENV.MERIDIAN_ADMIN_ACCESS_KEY_ID);
  });

  test('the servers generate them once, mode 0600, and find them again after a restart', () => {
    const data = join(folder(false), 'data');
    const generated = resolveAdminCredentials(data, {});
    assert.equal(generated.generated, true);
    assert.match(generated.accessKeyId, /^AKIA[0-9A-F]{16}$/);
    assert.equal(statSync(adminCredentialsFile(data)).mode & 0o777, 0o600);
    assert.deepEqual(resolveAdminCredentials(data, {}), { ...generated, generated: false });
    assert.deepEqual(resolveAdminCredentials(data, FROM_ENV), { accessKeyId: FROM_ENV.MERIDIAN_ADMIN_ACCESS_KEY_ID, secretAccessKey: FROM_ENV.MERIDIAN_ADMIN_SECRET_ACCESS_KEY, generated: false });
  });

  test('kms audit takes the environment only, with its own message', async () => {
    await assert.rejects(auditLines({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }, {}).next(), {
      message: 'set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY to the admin credentials',
    });
  });

  test('outbox takes the environment, else --data, with its own message', async () => {
    const message = 'no admin credentials: set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY (or pass --data with admin-credentials.json)';
    const options = { endpoint: 'http://127.0.0.1:9', pool: 'us-east-1_abc', region: 'us-east-1' };
    await assert.rejects(fetchOutbox(options, {}), { message });
    await assert.rejects(fetchOutbox({ ...options, data: folder(false) }, {}), { message });

    // With --data holding the file, the request is signed with its key.
    const signedWith: string[] = [];
    const server = createServer((request, response) => {
      signedWith.push(/Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.deepEqual(await fetchOutbox({ ...options, endpoint, data: folder(true) }, {}), []);
      assert.deepEqual(signedWith, [SAVED.accessKeyId]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
