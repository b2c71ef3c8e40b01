import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dummyPasswordCheck, hashPassword, verifyPassword } from '../../../src/auth/passwords/password-hash.ts';

test('hashPassword makes an Argon2id PHC string with the OWASP parameters', async () => {
  const phc = await hashPassword('correct horse battery staple');
  assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
});

test('verifyPassword accepts the right password and refuses a wrong one', async () => {
  const phc = await hashPassword('Pässwörd-1 with unicode ✓');
  assert.equal(await verifyPassword(phc, 'Pässwörd-1 with unicode ✓'), true);
  assert.equal(await verifyPassword(phc, 'Pässwörd-1 with unicode'), false);
  assert.equal(await verifyPassword(phc, ''), false);
});

test('the same password hashes differently each time (random salt)', async () => {
  assert.notEqual(await hashPassword('same'), await hashPassword('same'));
});

test('verifyPassword returns false on a malformed hash instead of throwing', async () => {
  for (const broken of ['', 'garbage', '$argon2id$v=19$m=19456,t=2,p=1$', '$2b$10$abcdefghijklmnopqrstuv']) {
    assert.equal(await verifyPassword(broken, 'anything'), false, broken);
  }
});

test('dummyPasswordCheck runs a real Argon2id verification with the same parameters', async () => {
  // Equal cost follows from equal parameters; timing itself belongs in bench/, not in tests.
  const source = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../../src/auth/passwords/password-hash.ts', import.meta.url), 'utf8'));
  assert.match(source, /m=19456,t=2,p=1/);
  await dummyPasswordCheck('wrong');
});
