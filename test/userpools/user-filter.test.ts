import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UserPoolRecord } from '../../src/userpools/pools/user-pool.ts';
import { matchesUserFilter, parseUserFilter } from '../../src/userpools/users/user-filter.ts';
import type { UserRecord } from '../../src/userpools/users/user-record.ts';

const pool = (usernameCaseSensitive = false) =>
  ({ id: 'us-east-1_TEST', usernameCaseSensitive, usernameAttributes: [], aliasAttributes: [] }) as unknown as UserPoolRecord;

const user: UserRecord = {
  id: 'a1',
  username: 'Alice',
  sub: '0f8fad5b-d9cb-469f-a165-70867728950e',
  attributes: { email: 'Alice@Example.com', phone_number: '+15555550100', given_name: 'Alice "Al"', family_name: 'Reddy' },
  enabled: false,
  status: 'CONFIRMED',
  createdAt: 0,
  modifiedAt: 0,
};

const rejects = (text: string) => assert.throws(() => parseUserFilter(text), { name: 'InvalidParameterException' }, text);

describe('ListUsers filter parser', () => {
  test('empty or blank filters mean every user', () => {
    assert.equal(parseUserFilter(undefined), null);
    assert.equal(parseUserFilter(''), null);
    assert.equal(parseUserFilter('   '), null);
  });

  test('parses exact and prefix filters, with or without spaces around the operator', () => {
    assert.deepEqual(parseUserFilter('family_name = "Reddy"'), { attribute: 'family_name', operator: '=', value: 'Reddy' });
    assert.deepEqual(parseUserFilter('given_name ^= "Jon"'), { attribute: 'given_name', operator: '^=', value: 'Jon' });
    assert.deepEqual(parseUserFilter('email="a@b.c"'), { attribute: 'email', operator: '=', value: 'a@b.c' });
    assert.deepEqual(parseUserFilter('  cognito:user_status   ^=   "FORCE"  '), { attribute: 'cognito:user_status', operator: '^=', value: 'FORCE' });
    assert.deepEqual(parseUserFilter('sub = ""'), { attribute: 'sub', operator: '=', value: '' });
  });

  test('backslash escapes quotes and backslashes inside the value', () => {
    assert.equal(parseUserFilter('given_name = "Alice \\"Al\\""')?.value, 'Alice "Al"');
    assert.equal(parseUserFilter('name = "back\\\\slash"')?.value, 'back\\slash');
    assert.equal(parseUserFilter('name = "a=b ^= c"')?.value, 'a=b ^= c');
  });

  test('accepts every searchable attribute', () => {
    for (const name of ['username', 'email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'cognito:user_status', 'status', 'sub']) {
      assert.equal(parseUserFilter(`${name} = "x"`)?.attribute, name);
    }
  });

  test('refuses malformed filters and attributes Cognito does not search', () => {
    rejects('email');
    rejects('email =');
    rejects('email = x');
    rejects("email = 'x'");
    rejects('email = "x');
    rejects('email = "x"y"');
    rejects('email == "x"');
    rejects('email != "x"');
    rejects('email ~= "x"');
    rejects('= "x"');
    rejects('email = "x" and name = "y"');
    rejects('email = "x" name = "y"');
    rejects('custom:tier = "gold"');
    rejects('address = "x"');
    rejects('Email = "x"');
    rejects('email_verified = "true"');
    rejects('email = "trailing backslash\\"');
  });

  test('matches case-insensitively except username (case-sensitive pools), status and phone numbers', () => {
    const matches = (text: string, caseSensitivePool = false) => matchesUserFilter(pool(caseSensitivePool), parseUserFilter(text)!, user);
    assert.equal(matches('email = "alice@example.com"'), true);
    assert.equal(matches('email ^= "ALICE@"'), true);
    assert.equal(matches('email ^= "bob"'), false);
    assert.equal(matches('email = "alice"'), false, '= is exact, not a prefix');
    assert.equal(matches('given_name = "alice \\"al\\""'), true);
    assert.equal(matches('family_name ^= "re"'), true);
    assert.equal(matches('name ^= ""'), false, 'a user without the attribute never matches');
    assert.equal(matches('phone_number ^= "+1555"'), true);
    assert.equal(matches('username = "alice"'), true);
    assert.equal(matches('username = "alice"', true), false);
    assert.equal(matches('username = "Alice"', true), true);
    assert.equal(matches('username ^= "AL"'), true);
    assert.equal(matches('cognito:user_status = "confirmed"'), true);
    assert.equal(matches('cognito:user_status = "UNCONFIRMED"'), false);
    assert.equal(matches('status = "Disabled"'), true);
    assert.equal(matches('status = "disabled"'), false, 'status is case-sensitive');
    assert.equal(matches('status = "Enabled"'), false);
    assert.equal(matches(`sub = "${user.sub}"`), true);
    assert.equal(matches('sub ^= "0f8fad5b"'), true);
  });
});
