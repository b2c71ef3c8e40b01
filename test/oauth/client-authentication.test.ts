import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readClientCredentials, triesBasicAuthentication } from '../../src/oauth/client-authentication.ts';
import { secretsEqual } from '../../src/userpools/clients/client-secret.ts';

const form = (values: Record<string, string>) => ({ get: (name: string) => values[name] });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

describe('token endpoint client authentication (RFC 6749 §2.3)', () => {
  test('HTTP Basic: form-decoded id and secret; the raw password is also a candidate', () => {
    assert.deepEqual(readClientCredentials(basic('client1', 'secret'), form({})), { clientId: 'client1', secrets: ['secret'], method: 'client_secret_basic' });
    // RFC-encoded: "a+b/c" travels as a%2Bb%2Fc.
    assert.deepEqual(readClientCredentials(basic('client1', formEncode('a+b/c:d')), form({})).secrets, ['a+b/c:d', 'a%2Bb%2Fc%3Ad']);
    // Not encoded (curl -u, Cognito's examples): the raw secret still counts.
    assert.deepEqual(readClientCredentials(basic('client1', 'a+b'), form({})).secrets, ['a b', 'a+b']);
    assert.equal(readClientCredentials(`basic   ${Buffer.from('c:s').toString('base64')}`, form({})).clientId, 'c');
  });

  test('client_secret_post and public clients (client_id alone)', () => {
    assert.deepEqual(readClientCredentials(undefined, form({ client_id: 'c', client_secret: 's' })), { clientId: 'c', secrets: ['s'], method: 'client_secret_post' });
    assert.deepEqual(readClientCredentials(undefined, form({ client_id: 'c' })), { clientId: 'c', secrets: [], method: 'none' });
    assert.deepEqual(readClientCredentials('', form({ client_id: 'c' })).method, 'none');
  });

  test('two methods at once are invalid_request; a matching client_id beside Basic is tolerated', () => {
    assert.throws(() => readClientCredentials(basic('c', 's'), form({ client_id: 'c', client_secret: 's' })), { name: 'invalid_request', statusCode: 400 });
    assert.throws(() => readClientCredentials(basic('c', 's'), form({ client_secret: 's' })), { name: 'invalid_request' });
    assert.throws(() => readClientCredentials(basic('c', 's'), form({ client_id: 'other' })), { name: 'invalid_request' });
    assert.equal(readClientCredentials(basic('c', 's'), form({ client_id: 'c' })).method, 'client_secret_basic');
  });

  test('no credentials, another scheme or a malformed header are invalid_client (401)', () => {
    for (const header of [undefined, 'Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`, basic('%E0%A4%A', 's')]) {
      assert.throws(() => readClientCredentials(header, form({})), { name: 'invalid_client', statusCode: 401 }, String(header));
    }
  });

  test('triesBasicAuthentication decides the WWW-Authenticate challenge', () => {
    assert.equal(triesBasicAuthentication(basic('c', 's')), true);
    assert.equal(triesBasicAuthentication('BASIC xyz'), true);
    assert.equal(triesBasicAuthentication('Basic'), true);
    assert.equal(triesBasicAuthentication('Bearer x'), false);
    assert.equal(triesBasicAuthentication('Basicx'), false);
    assert.equal(triesBasicAuthentication(undefined), false);
  });

  test('secretsEqual compares whole secrets of any length', () => {
    assert.equal(secretsEqual('abc', 'abc'), true);
    assert.equal(secretsEqual('abc', 'abd'), false);
    assert.equal(secretsEqual('abc', 'abcd'), false);
    assert.equal(secretsEqual('abc', ''), false);
    assert.equal(secretsEqual('', ''), true);
    assert.equal(secretsEqual('abc', 'abc\u0000'), false);
    assert.equal(secretsEqual('é', 'e\u0301'), false, 'no normalization: the bytes must match');
  });
});
