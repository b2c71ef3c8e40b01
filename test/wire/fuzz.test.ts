import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestRegion, TEST_ADMIN, type TestRegion } from '../support/region.ts';

/**
 * Malformed-input fuzzing of the AWS JSON 1.1 wire (ARCHITECTURE.md, "Bad input never reaches a
 * 500"): a seeded generator produces requests that are invalid by construction under the Cognito
 * API model (wrong JSON types, out-of-range numbers, over-long or badly-patterned strings, missing
 * required members, broken framing), sent unsigned and signed with the admin key so that input
 * validation behind authentication is reached. Every answer must be a 4xx `{"__type","message"}`
 * envelope without internals, and nothing may have been written.
 *
 * Reproduce a failure with MERIDIAN_FUZZ_SEED=<seed printed in the failure>.
 */
const SEED = Number(process.env.MERIDIAN_FUZZ_SEED ?? 0x4d455249);
const CASES = Number(process.env.MERIDIAN_FUZZ_CASES ?? 2000);
const CONCURRENCY = 8;
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Two megabytes: twice the region's body limit. */
const HUGE_BODY_BYTES = 2 * 1024 * 1024;
/** At most this many two-megabyte bodies: hashing them for SigV4 in pure JS is slow. */
const HUGE_BODY_CASES = 12;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) buffer[i] = this.int(256);
    return buffer;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON with values JSON.stringify cannot write (1e400, -0 literal text, duplicate keys)

/** Inserted into the body text verbatim. */
class RawJson {
  constructor(readonly text: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}:${toJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------
// The Cognito API model, as far as the fuzzer needs it: which members exist and what makes a
// value invalid for them (types and limits from the Cognito API reference).

type Pattern =
  /** [\w\s+=,.@-]+ (PoolName, ClientName): ASCII word characters only. */
  | 'ascii-name'
  /** [\p{L}\p{M}\p{S}\p{N}\p{P}]+ (usernames, group and attribute names): no spaces, controls, format characters, unpaired surrogates. */
  | 'printable'
  /** [\w-]+_[0-9a-zA-Z]+ */
  | 'pool-id';

type MemberType =
  | { kind: 'string'; min?: number; max?: number; pattern?: Pattern }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; items: MemberType; max?: number }
  | { kind: 'structure' }
  | { kind: 'map' };

interface Member {
  path: ReadonlyArray<string | number>;
  type: MemberType;
  required?: boolean;
}

interface ActionModel {
  name: string;
  /** iam: admin action, sent signed or not; public: sent unsigned (no signature involved). */
  authorization: 'iam' | 'public';
  /** A valid input; the fuzzer always breaks at least one member of it. */
  base(): Record<string, unknown>;
  members: Member[];
}

const text = (min: number, max: number, pattern?: Pattern): MemberType => ({ kind: 'string', min, max, pattern });
const int = (min: number, max: number): MemberType => ({ kind: 'int', min, max });
const bool: MemberType = { kind: 'bool' };
const oneOf = (...values: string[]): MemberType => ({ kind: 'enum', values });
const list = (items: MemberType, max?: number): MemberType => ({ kind: 'list', items, max });
const structure: MemberType = { kind: 'structure' };
const map: MemberType = { kind: 'map' };
const poolIdType = text(1, 55, 'pool-id');

const member = (path: string, type: MemberType, required = false): Member => ({
  path: path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
  type,
  required,
});

/** Members of CreateUserPool and UpdateUserPool alike. */
const poolSettingMembers: Member[] = [
  member('Policies', structure),
  member('Policies.PasswordPolicy', structure),
  member('Policies.PasswordPolicy.MinimumLength', int(6, 99)),
  member('Policies.PasswordPolicy.RequireUppercase', bool),
  member('Policies.PasswordPolicy.TemporaryPasswordValidityDays', int(0, 365)),
  member('Policies.PasswordPolicy.PasswordHistorySize', int(0, 24)),
  member('DeletionProtection', oneOf('ACTIVE', 'INACTIVE')),
  member('MfaConfiguration', oneOf('OFF', 'ON', 'OPTIONAL')),
  member('AutoVerifiedAttributes', list(oneOf('phone_number', 'email'), 2)),
  member('SmsVerificationMessage', text(6, 140)),
  member('EmailVerificationSubject', text(1, 140)),
  member('VerificationMessageTemplate.DefaultEmailOption', oneOf('CONFIRM_WITH_LINK', 'CONFIRM_WITH_CODE')),
  member('DeviceConfiguration.ChallengeRequiredOnNewDevice', bool),
  member('EmailConfiguration.From', { kind: 'string' }),
  member('EmailConfiguration.EmailSendingAccount', oneOf('COGNITO_DEFAULT', 'DEVELOPER')),
  member('SmsConfiguration.SnsCallerArn', text(20, 2048), true),
  member('UserPoolTags', map),
  member('LambdaConfig', structure),
  member('AdminCreateUserConfig.AllowAdminCreateUserOnly', bool),
  member('AdminCreateUserConfig.UnusedAccountValidityDays', int(0, 365)),
  member('AdminCreateUserConfig.InviteMessageTemplate.SMSMessage', text(6, 140)),
  member('UserPoolAddOns.AdvancedSecurityMode', oneOf('OFF', 'AUDIT', 'ENFORCED'), true),
  member('AccountRecoverySetting.RecoveryMechanisms', list(structure, 2)),
  member('AccountRecoverySetting.RecoveryMechanisms.0.Priority', int(1, 2), true),
  member('AccountRecoverySetting.RecoveryMechanisms.0.Name', oneOf('verified_email', 'verified_phone_number', 'admin_only'), true),
  member('UserPoolTier', oneOf('LITE', 'ESSENTIALS', 'PLUS')),
];

const FAKE_CLIENT_ID = '1example23456789abcdefghij';
const attributeList = (prefix: string): Member[] => [
  member(prefix, list(structure, 100)),
  member(`${prefix}.0.Name`, text(1, 32, 'printable'), true),
  member(`${prefix}.0.Value`, text(0, 2048)),
];

function actionModels(poolId: string): ActionModel[] {
  return [
    {
      name: 'CreateUserPool',
      authorization: 'iam',
      base: () => ({ PoolName: 'fuzz-never-created' }),
      members: [
        member('PoolName', text(1, 128, 'ascii-name'), true),
        ...poolSettingMembers,
        member('AliasAttributes', list(oneOf('phone_number', 'email', 'preferred_username'), 3)),
        member('UsernameAttributes', list(oneOf('phone_number', 'email'), 2)),
        member('UsernameConfiguration.CaseSensitive', bool, true),
        member('Schema', list(structure, 50)),
        member('Schema.0.Name', text(1, 20, 'printable'), true),
        member('Schema.0.AttributeDataType', oneOf('String', 'Number', 'DateTime', 'Boolean')),
        member('Schema.0.Mutable', bool),
        member('Schema.0.StringAttributeConstraints.MaxLength', { kind: 'string' }),
      ],
    },
    {
      name: 'UpdateUserPool',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId }),
      members: [member('UserPoolId', poolIdType, true), member('PoolName', text(1, 128, 'ascii-name')), ...poolSettingMembers],
    },
    {
      name: 'DescribeUserPool',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId }),
      members: [member('UserPoolId', poolIdType, true)],
    },
    {
      name: 'DeleteUserPool',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId }),
      members: [member('UserPoolId', poolIdType, true)],
    },
    {
      name: 'ListUserPools',
      authorization: 'iam',
      base: () => ({ MaxResults: 10 }),
      members: [member('MaxResults', int(1, 60), true), member('NextToken', text(1, 2048))],
    },
    {
      name: 'AdminCreateUser',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId, Username: 'fuzz-never-created', MessageAction: 'SUPPRESS' }),
      members: [
        member('UserPoolId', poolIdType, true),
        member('Username', text(1, 128, 'printable'), true),
        ...attributeList('UserAttributes'),
        ...attributeList('ValidationData'),
        member('TemporaryPassword', text(1, 256)),
        member('ForceAliasCreation', bool),
        member('MessageAction', oneOf('RESEND', 'SUPPRESS')),
        member('DesiredDeliveryMediums', list(oneOf('SMS', 'EMAIL'), 2)),
        member('ClientMetadata', map),
      ],
    },
    {
      name: 'AdminGetUser',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId, Username: 'fuzz-existing-user' }),
      members: [member('UserPoolId', poolIdType, true), member('Username', text(1, 128, 'printable'), true)],
    },
    {
      name: 'AdminUpdateUserAttributes',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId, Username: 'fuzz-existing-user', UserAttributes: [{ Name: 'given_name', Value: 'Changed' }] }),
      members: [
        member('UserPoolId', poolIdType, true),
        member('Username', text(1, 128, 'printable'), true),
        member('UserAttributes', list(structure, 100), true),
        member('UserAttributes.0.Name', text(1, 32, 'printable'), true),
        member('UserAttributes.0.Value', text(0, 2048)),
        member('ClientMetadata', map),
      ],
    },
    {
      name: 'ListUsers',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId }),
      members: [
        member('UserPoolId', poolIdType, true),
        member('AttributesToGet', list(text(1, 32, 'printable'))),
        member('Limit', int(0, 60)),
        member('PaginationToken', text(1, 2048)),
        member('Filter', text(0, 256)),
      ],
    },
    {
      name: 'CreateUserPoolClient',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId, ClientName: 'fuzz-never-created' }),
      members: [
        member('UserPoolId', poolIdType, true),
        member('ClientName', text(1, 128, 'ascii-name'), true),
        member('GenerateSecret', bool),
        member('RefreshTokenValidity', int(0, 315_360_000)),
        member('AccessTokenValidity', int(1, 86_400)),
        member('IdTokenValidity', int(1, 86_400)),
        member('TokenValidityUnits.AccessToken', oneOf('seconds', 'minutes', 'hours', 'days')),
        member('ReadAttributes', list(text(1, 2048))),
        member('ExplicitAuthFlows', list(oneOf('ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'))),
        member('CallbackURLs', list(text(1, 1024, 'printable'), 100)),
        member('AllowedOAuthFlows', list(oneOf('code', 'implicit', 'client_credentials'), 3)),
        member('AllowedOAuthFlowsUserPoolClient', bool),
        member('PreventUserExistenceErrors', oneOf('ENABLED', 'LEGACY')),
        member('AuthSessionValidity', int(3, 15)),
      ],
    },
    {
      name: 'CreateGroup',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId, GroupName: 'fuzz-never-created' }),
      members: [
        member('UserPoolId', poolIdType, true),
        member('GroupName', text(1, 128, 'printable'), true),
        member('Description', text(0, 2048)),
        member('RoleArn', text(20, 2048)),
        member('Precedence', int(0, 2 ** 31 - 1)),
      ],
    },
    {
      name: 'ListGroups',
      authorization: 'iam',
      base: () => ({ UserPoolId: poolId }),
      members: [member('UserPoolId', poolIdType, true), member('Limit', int(0, 60)), member('NextToken', text(1, 2048))],
    },
    // Public actions (no signature; the client id, a token or a session authorizes them).
    {
      name: 'SignUp',
      authorization: 'public',
      base: () => ({ ClientId: FAKE_CLIENT_ID, Username: 'fuzz-never-created', Password: 'Fuzz-password-1!' }),
      members: [
        member('ClientId', text(1, 128, 'printable'), true),
        member('Username', text(1, 128, 'printable'), true),
        member('Password', text(1, 256), true),
        ...attributeList('UserAttributes'),
        member('SecretHash', text(1, 128)),
      ],
    },
    {
      name: 'InitiateAuth',
      authorization: 'public',
      base: () => ({ ClientId: FAKE_CLIENT_ID, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'fuzz', PASSWORD: 'x' } }),
      members: [
        member('ClientId', text(1, 128, 'printable'), true),
        member('AuthFlow', oneOf('USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'CUSTOM_AUTH', 'USER_PASSWORD_AUTH', 'USER_AUTH'), true),
        member('AuthParameters', map),
        member('ClientMetadata', map),
      ],
    },
    {
      name: 'RespondToAuthChallenge',
      authorization: 'public',
      base: () => ({ ClientId: FAKE_CLIENT_ID, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'x'.repeat(40), ChallengeResponses: { USERNAME: 'fuzz' } }),
      members: [
        member('ClientId', text(1, 128, 'printable'), true),
        member('ChallengeName', oneOf('SMS_MFA', 'PASSWORD_VERIFIER', 'NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA'), true),
        member('Session', text(20, 2048)),
        member('ChallengeResponses', map),
      ],
    },
    {
      name: 'ConfirmSignUp',
      authorization: 'public',
      base: () => ({ ClientId: FAKE_CLIENT_ID, Username: 'fuzz', ConfirmationCode: '123456' }),
      members: [
        member('ClientId', text(1, 128, 'printable'), true),
        member('Username', text(1, 128, 'printable'), true),
        member('ConfirmationCode', text(1, 2048), true),
        member('ForceAliasCreation', bool),
      ],
    },
    {
      name: 'GetUser',
      authorization: 'public',
      base: () => ({ AccessToken: 'eyJ.fuzz.token' }),
      members: [member('AccessToken', text(1, 2048 * 4), true)],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Values that are invalid for a member whatever the rest of the request holds

/** Characters outside [\p{L}\p{M}\p{S}\p{N}\p{P}] and outside [\w\s+=,.@-]: controls, format, unpaired surrogates, private use. */
const FORBIDDEN_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\ud800', '\udfff', '\u200b', '\u2066', '\ue000', '\u{e0001}'];
/** Letters that [\w\s+=,.@-] refuses. */
const NON_ASCII_LETTERS = ['é', 'ß', '名前', 'Ω', '😀', 'ﬁ', 'İ'];

const HUGE_NUMBERS: readonly unknown[] = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, new RawJson('1e400'), new RawJson('-1e400'), new RawJson('123456789012345678901234567890')];
const NESTED_VALUES: readonly unknown[] = [{}, { nested: { deeper: [1, { a: null }] } }, [], [[[]]], [{}], ['a', 1, null]];

function wrongTypeValues(type: MemberType): unknown[] {
  const numbers = [0, -1, 1.5, ...HUGE_NUMBERS];
  const booleans = [true, false];
  const strings = ['x', '12', 'true', ''];
  switch (type.kind) {
    case 'string':
      return [...numbers, ...booleans, ...NESTED_VALUES];
    case 'int':
      return [...strings, '1e3', ...booleans, ...NESTED_VALUES, { value: 1 }];
    case 'bool':
      return [...strings, 'yes', 1, 0, ...HUGE_NUMBERS, ...NESTED_VALUES];
    case 'enum':
      return [...numbers, ...booleans, ...NESTED_VALUES];
    case 'list':
      return ['x', '', ...numbers, ...booleans, {}, { 0: 'x', length: 1 }];
    case 'structure':
      return ['x', '', ...numbers, ...booleans, [], [{}], ['x']];
    case 'map':
      return ['x', '', ...numbers, ...booleans, [], ['a'], { key: 1 }, { key: {} }, { key: [] }, { key: true }, { key: new RawJson('1e400') }];
  }
}

/** Strings that break a string member's length or pattern (never valid for it). */
function badStrings(random: Random, type: Extract<MemberType, { kind: 'string' }>): string[] {
  const values: string[] = [];
  if ((type.min ?? 0) >= 1) values.push('');
  if (type.min && type.min > 1) values.push('x'.repeat(type.min - 1));
  if (type.max !== undefined) values.push('x'.repeat(type.max + 1), 'é'.repeat(type.max + 1 + random.int(50)));
  const forbidden = random.pick(FORBIDDEN_CHARACTERS);
  if (type.pattern) values.push(`a${forbidden}b`, forbidden, `${'y'.repeat(random.int(10))}${forbidden}`);
  if (type.pattern === 'ascii-name') values.push(`pool-${random.pick(NON_ASCII_LETTERS)}`, 'name/with/slash', 'name<script>');
  if (type.pattern === 'printable') values.push('two words', 'tab\there', 'line\nbreak');
  if (type.pattern === 'pool-id') values.push('no-underscore', 'us-east-1_', '_abc', 'us-east-1_a-b', '../../etc/passwd', "us-east-1_x' OR '1'='1", 'us-east-1_\u0000');
  return values;
}

function badNumbers(type: Extract<MemberType, { kind: 'int' }>): unknown[] {
  return [type.min - 1, type.max + 1, type.min - 1000, -(2 ** 31) - 1, type.max + 0.5, Math.max(type.min, 0) + 0.25, ...HUGE_NUMBERS];
}

function invalidValue(random: Random, target: Member): unknown {
  const { type } = target;
  const choices: unknown[] = [...wrongTypeValues(type)];
  if (target.required) choices.push(null);
  if (type.kind === 'string') choices.push(...badStrings(random, type), ...badStrings(random, type));
  if (type.kind === 'int') choices.push(...badNumbers(type), ...badNumbers(type));
  if (type.kind === 'enum') {
    const value = random.pick(type.values);
    choices.push('NOT_A_MEMBER', `${value} `, ` ${value}`, value.toLowerCase() === value ? value.toUpperCase() : value.toLowerCase(), `${value}\u0000`, '');
  }
  if (type.kind === 'list') {
    const item = invalidValue(random, { path: [], type: type.items, required: true });
    choices.push([item], ['x', item], [[item]]);
    if (type.max !== undefined) choices.push(Array.from({ length: type.max + 1 + random.int(5) }, () => item));
  }
  return random.pick(choices);
}

// ---------------------------------------------------------------------------------------------
// Building request bodies

function setPath(target: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown, remove = false): void {
  let node: any = target;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = path[i]!;
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (node[key] === null || typeof node[key] !== 'object') node[key] = nextIsIndex ? [] : {};
    node = node[key];
  }
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

/** The base input with one member replaced by an invalid value. */
function withInvalidMember(random: Random, model: ActionModel): { input: Record<string, unknown>; note: string } {
  const input = model.base();
  const target = random.pick(model.members);
  const value = invalidValue(random, target);
  setPath(input, target.path, value);
  return { input, note: `${target.path.join('.')}=${describeValue(value)}` };
}

/** The base input without one required member (its parent kept, so the omission is what is wrong). */
function withoutRequiredMember(random: Random, model: ActionModel): { input: Record<string, unknown>; note: string } | null {
  const required = model.members.filter((candidate) => candidate.required);
  if (required.length === 0) return null;
  const input = model.base();
  const target = random.pick(required);
  setPath(input, target.path, undefined, true);
  return { input, note: `without ${target.path.join('.')}` };
}

function describeValue(value: unknown): string {
  const json = toJson(value);
  return json.length > 60 ? `${json.slice(0, 40)}...(${json.length} chars)` : json;
}

function deepJson(random: Random): { body: string; note: string } {
  const depth = 1000 + random.int(100_000);
  const shapes = [
    () => '['.repeat(depth) + ']'.repeat(depth),
    () => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    () => `{"PoolName":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    () => `{"UserPoolId":${'{"x":'.repeat(depth)}null${'}'.repeat(depth)},"Username":"x"}`,
    () => `{"Unknown":${'['.repeat(depth)}${']'.repeat(depth)}, "PoolName": 7}`,
    // Unbalanced: never closes.
    () => '{"a":'.repeat(depth),
  ];
  const index = random.int(shapes.length);
  return { body: shapes[index]!(), note: `depth ${depth} shape ${index}` };
}

const INVALID_JSON = [
  '{',
  '}',
  '{"PoolName":}',
  '{"PoolName":"x",}',
  "{'PoolName':'x'}",
  '{PoolName:"x"}',
  '{"PoolName":"x"',
  '{"PoolName":"x"}}',
  '{"PoolName":"x"} {"PoolName":"y"}',
  '{"MaxResults":NaN}',
  '{"MaxResults":Infinity}',
  '{"MaxResults":01}',
  '{"MaxResults":0x10}',
  '{"MaxResults":+1}',
  '{"MaxResults":.5}',
  '{"PoolName":undefined}',
  '/* comment */ {"MaxResults":1}',
  '{"PoolName":"\u0000raw control character"}',
  '{"PoolName":"line\nbreak"}',
  '{"PoolName":"bad escape \\x41"}',
  '{"PoolName":"\\ud800 then \\u12"}',
  '\ufeff\ufeff{"MaxResults":1}',
  '{"MaxResults":1}\u0000',
  'null null',
  '{"a":[1,2,}',
  '[',
  '"unterminated',
  'tru',
  '\u0000',
];

/** JSON that parses but is not an object. */
const NOT_OBJECTS = ['[]', '[{}]', '[{"PoolName":"x"}]', '1', '-1', '0', '1e400', '3.14', 'null', 'true', 'false', '""', '"{\\"PoolName\\":\\"x\\"}"', '[[[]]]', '  42  '];

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'text/html; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  'application/x-amz-json-1.0',
  'application/x-amz-json-1.1; charset=latin1',
  'application/xml',
  ';;;==',
  'x/y/z',
  '',
  '*/*',
];

// ---------------------------------------------------------------------------------------------
// Cases

type Signing = 'none' | 'admin' | 'tampered' | 'wrong-service' | 'unknown-key';

interface FuzzCase {
  index: number;
  category: string;
  note: string;
  /** Absent: no X-Amz-Target header at all. */
  target?: string;
  /** Absent: no Content-Type header at all. */
  contentType?: string;
  path: string;
  body: Buffer;
  signing: Signing;
  extraHeaders?: Record<string, string>;
}

const CATEGORIES = [
  ['invalid-member', 34],
  ['missing-required', 8],
  ['invalid-json', 9],
  ['not-an-object', 6],
  ['oversize', 4],
  ['unknown-action', 6],
  ['bad-target', 6],
  ['content-type', 6],
  ['unicode', 8],
  ['deep-json', 3],
  ['random-bytes', 6],
  ['invalid-utf8', 4],
] as const;

function generateCases(seed: number, count: number, poolId: string): FuzzCase[] {
  const random = new Random(seed);
  const models = actionModels(poolId);
  const adminModels = models.filter((model) => model.authorization === 'iam');
  const totalWeight = CATEGORIES.reduce((sum, [, weight]) => sum + weight, 0);
  let hugeBodies = 0;
  const cases: FuzzCase[] = [];

  const signingFor = (model: ActionModel): Signing => {
    if (model.authorization === 'public') return 'none';
    const roll = random.next();
    if (roll < 0.7) return 'admin';
    if (roll < 0.85) return 'none';
    return random.pick(['tampered', 'wrong-service', 'unknown-key'] as const);
  };
  const pathFor = () => (random.chance(0.9) ? '/' : random.pick(['/?', '/?x=1', '/?Action=CreateUserPool', '/?a=%zz&b', '/?%00=%ff', `/?q=${'a'.repeat(2000)}`]));
  const invalidInput = (model: ActionModel) => withInvalidMember(random, model);

  for (let index = 0; index < count; index += 1) {
    let roll = random.next() * totalWeight;
    let category: string = CATEGORIES[0][0];
    for (const [name, weight] of CATEGORIES) {
      if (roll < weight) {
        category = name;
        break;
      }
      roll -= weight;
    }
    const model = random.pick(models);
    const base = { index, category, target: `${TARGET_PREFIX}.${model.name}`, contentType: JSON_CONTENT_TYPE, path: pathFor(), signing: signingFor(model) };

    switch (category) {
      case 'invalid-member': {
        const { input, note } = invalidInput(model);
        cases.push({ ...base, note: `${model.name} ${note}`, body: Buffer.from(toJson(input)) });
        break;
      }
      case 'missing-required': {
        const broken = withoutRequiredMember(random, model) ?? invalidInput(model);
        const emptyBody = random.chance(0.15);
        cases.push({ ...base, note: `${model.name} ${emptyBody ? 'empty body' : broken.note}`, body: Buffer.from(emptyBody ? '' : toJson(broken.input)) });
        break;
      }
      case 'invalid-json': {
        const body = random.pick(INVALID_JSON);
        cases.push({ ...base, note: `${model.name} ${JSON.stringify(body)}`, body: Buffer.from(body) });
        break;
      }
      case 'not-an-object': {
        const body = random.pick(NOT_OBJECTS);
        cases.push({ ...base, note: `${model.name} ${body}`, body: Buffer.from(body) });
        break;
      }
      case 'oversize': {
        // Only members with a length limit: a long value is invalid for them whatever it holds.
        const candidates = model.members.filter((candidate) => candidate.type.kind === 'string' && candidate.type.max !== undefined);
        if (hugeBodies < HUGE_BODY_CASES && random.chance(0.3)) {
          hugeBodies += 1;
          const body = random.chance(0.5)
            ? Buffer.from(`{"PoolName":"${'p'.repeat(HUGE_BODY_BYTES)}"}`)
            : Buffer.concat([Buffer.from('{"Username":"'), random.bytes(HUGE_BODY_BYTES)]);
          cases.push({ ...base, note: `${model.name} ${body.length}-byte body`, body });
        } else if (candidates.length > 0) {
          const input = model.base();
          const target = random.pick(candidates);
          const size = random.pick([100 * 1024, 300 * 1024, 900 * 1024]);
          setPath(input, target.path, random.pick(['u', 'é', '😀']).repeat(size / 4));
          cases.push({ ...base, note: `${model.name} ${target.path.join('.')} of ${size / 4} characters`, body: Buffer.from(toJson(input)) });
        } else {
          const { input, note } = invalidInput(model);
          cases.push({ ...base, note: `${model.name} padded, ${note}`, body: Buffer.from(toJson({ ...input, Padding: 'x'.repeat(100 * 1024) })) });
        }
        break;
      }
      case 'unknown-action': {
        const name = random.pick([
          'NotAnAction',
          'createuserpool',
          'CREATEUSERPOOL',
          'CreateUserPools',
          'CreateUserPool2',
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          'prototype',
          '',
          'Admin',
          `Action${random.int(1e9)}`,
          'a'.repeat(4000),
        ]);
        const prefix = random.pick([TARGET_PREFIX, 'TrentService', 'AWSCognitoIdentityService', 'awscognitoidentityproviderservice', 'DynamoDB_20120810', '']);
        const { input, note } = invalidInput(adminModels[random.int(adminModels.length)]!);
        cases.push({ ...base, target: `${prefix}.${name}`, note: `target ${prefix}.${name.slice(0, 40)} ${note}`, body: Buffer.from(toJson(input)) });
        break;
      }
      case 'bad-target': {
        const target = random.pick([
          undefined,
          '',
          '.',
          '..',
          TARGET_PREFIX,
          `${TARGET_PREFIX}.`,
          `.${model.name}`,
          `${TARGET_PREFIX}..${model.name}`,
          `${TARGET_PREFIX}.${model.name}.${model.name}`,
          `${TARGET_PREFIX}/${model.name}`,
          `${TARGET_PREFIX} ${model.name}`,
          `${TARGET_PREFIX}.${model.name}\u00ff`,
          `\u00e9\u00e8.${model.name}`,
          'x'.repeat(8000),
          `${TARGET_PREFIX}.${model.name}, ${TARGET_PREFIX}.DeleteUserPool`,
        ]);
        const { input, note } = invalidInput(model);
        cases.push({ ...base, target, note: `target ${JSON.stringify(target)?.slice(0, 60)} ${note}`, body: Buffer.from(toJson(input)) });
        break;
      }
      case 'content-type': {
        const contentType = random.chance(0.15) ? undefined : random.pick(CONTENT_TYPES);
        const { input, note } = invalidInput(model);
        const body = contentType?.startsWith('application/x-www-form-urlencoded') && random.chance(0.5) ? `Action=${model.name}&PoolName=x%00` : toJson(input);
        const extraHeaders = random.chance(0.2) ? { 'content-encoding': random.pick(['gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown']) } : undefined;
        cases.push({ ...base, contentType, extraHeaders, note: `content-type ${JSON.stringify(contentType)} ${JSON.stringify(extraHeaders ?? {})} ${note}`, body: Buffer.from(body) });
        break;
      }
      case 'unicode': {
        const patterned = model.members.filter((candidate) => candidate.type.kind === 'string' && candidate.type.pattern);
        const input = model.base();
        let note: string;
        if (patterned.length > 0 && random.chance(0.7)) {
          const target = random.pick(patterned);
          const value = `${random.pick(['', 'ok', '名前', '😀'])}${random.pick(FORBIDDEN_CHARACTERS)}${random.pick(['', 'tail', '\u202e', '\u0301'])}`;
          setPath(input, target.path, value);
          note = `${target.path.join('.')}=${JSON.stringify(value)}`;
          cases.push({ ...base, note: `${model.name} ${note}`, body: Buffer.from(toJson(input)) });
        } else {
          // Unicode, NUL and prototype-polluting member names, with a member broken so the
          // request stays invalid. Written as text: `__proto__` must be an own key in the JSON.
          const broken = invalidInput(model);
          const oddMembers = `${JSON.stringify(`\u0000${random.pick(NON_ASCII_LETTERS)}`)}:"\\u0000","\\ud800":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},`;
          note = `odd member names, ${broken.note}`;
          cases.push({ ...base, note: `${model.name} ${note}`, body: Buffer.from(`{${oddMembers}${toJson(broken.input).slice(1)}`) });
        }
        break;
      }
      case 'deep-json': {
        const { body, note } = deepJson(random);
        cases.push({ ...base, note: `${model.name} ${note}`, body: Buffer.from(body) });
        break;
      }
      case 'random-bytes': {
        const body = random.bytes(random.pick([1, 2, 16, 256, 4096, 65536]));
        if (body[0] === 0x7b) body[0] = 0x00; // never start like an object
        cases.push({ ...base, note: `${model.name} ${body.length} random bytes`, body });
        break;
      }
      case 'invalid-utf8': {
        // Bytes that are not UTF-8, inside an otherwise JSON-looking request whose required
        // member is also broken, so that the request cannot be valid whatever they decode to.
        const { input, note } = invalidInput(model);
        const json = toJson(input);
        const garbage = random.pick([Buffer.from([0xff, 0xfe]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), random.bytes(8)]);
        const body = Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"Garbage":"'), garbage, Buffer.from('"}')]);
        cases.push({ ...base, note: `${model.name} ${garbage.toString('hex')} ${note}`, body });
        break;
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Sending

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

async function signedHeaders(fuzzCase: FuzzCase, host: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const [path, query = ''] = fuzzCase.path.split('?', 2) as [string, string?];
  const credentials =
    fuzzCase.signing === 'unknown-key' ? { accessKeyId: 'AKIAUNKNOWNFUZZKEY00', secretAccessKey: 'unknown-secret-0000000000000000000000' } : TEST_ADMIN;
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: fuzzCase.signing === 'wrong-service' ? 'kms' : 'cognito-idp',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: host.split(':')[0]!,
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: { ...headers, host },
      body: fuzzCase.body,
    }),
  );
  const result = { ...(signed.headers as Record<string, string>) };
  if (fuzzCase.signing === 'tampered') result.authorization = result.authorization!.replace(/Signature=([0-9a-f])/, (_all, first: string) => `Signature=${first === '0' ? '1' : '0'}`);
  return result;
}

async function send(agent: Agent, port: number, fuzzCase: FuzzCase): Promise<Answer> {
  const host = `127.0.0.1:${port}`;
  let headers: Record<string, string> = { ...fuzzCase.extraHeaders };
  if (fuzzCase.target !== undefined) headers['x-amz-target'] = fuzzCase.target;
  if (fuzzCase.contentType !== undefined) headers['content-type'] = fuzzCase.contentType;
  headers['content-length'] = String(fuzzCase.body.length);
  if (fuzzCase.signing !== 'none') headers = await signedHeaders(fuzzCase, host, headers);
  else headers.host = host;

  const attempt = () =>
    new Promise<Answer>((resolve, reject) => {
      const outgoing = request({ agent, host: '127.0.0.1', port, method: 'POST', path: fuzzCase.path, headers, timeout: 30_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
        response.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 30 s')));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed between requests is not the server's answer.
        reject(Object.assign(error, { retryable: outgoing.reusedSocket && error.code === 'ECONNRESET' }));
      });
      outgoing.end(fuzzCase.body);
    });
  try {
    return await attempt();
  } catch (error) {
    if ((error as { retryable?: boolean }).retryable) return attempt();
    throw error;
  }
}

/** What a client may see: stack frames, source paths and dependency names are internals. */
const LEAK_PATTERNS = [/\bat\s+\S*\s*\(?(?:file:\/\/|\/|[A-Za-z]:\\)[^\s)]*:\d+/, /node_modules/, /\.ts:/, /\bat (?:async )?[\w$.<>]+ \(/];

function problemsWith(answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status < 400 || answer.status > 499) problems.push(`status ${answer.status}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    problems.push('body is not JSON');
  }
  if (body !== undefined) {
    const envelope = body as { __type?: unknown; message?: unknown };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) problems.push('body is not a JSON object');
    else {
      if (typeof envelope.__type !== 'string' || !envelope.__type.endsWith('Exception')) problems.push(`__type ${JSON.stringify(envelope.__type)}`);
      if (typeof envelope.message !== 'string') problems.push(`message ${JSON.stringify(envelope.message)}`);
    }
  }
  for (const pattern of LEAK_PATTERNS) if (pattern.test(answer.text)) problems.push(`leaks internals (${pattern})`);
  if (answer.text.includes(process.cwd())) problems.push('leaks the working directory');
  return problems;
}

// ---------------------------------------------------------------------------------------------

interface Snapshot {
  pool: unknown;
  user: unknown;
  group: unknown;
  client: unknown;
  usernames: string[];
}

async function snapshot(cognito: CognitoIdentityProviderClient, poolId: string, clientId: string): Promise<Snapshot> {
  const { $metadata: _pool, ...pool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  const { $metadata: _user, ...user } = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'fuzz-existing-user' }));
  const { $metadata: _group, ...group } = await cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'fuzz-existing-group' }));
  const { $metadata: _client, ...client } = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
  const users = await cognito.send(new ListUsersCommand({ UserPoolId: poolId }));
  return { pool, user, group, client, usernames: users.Users!.map((listed) => listed.Username!).sort() };
}

async function allPoolIds(cognito: CognitoIdentityProviderClient): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
    ids.push(...page.UserPools!.map((pool) => pool.Id!));
    token = page.NextToken;
  } while (token);
  return ids.sort();
}

describe('AWS JSON wire under malformed input', () => {
  let region: TestRegion;
  let agent: Agent;
  let poolId: string;
  let clientId: string;
  let original: Snapshot;
  let poolsBefore: string[];

  before(async () => {
    region = await startTestRegion();
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const { UserPool } = await region.cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'fuzz-target',
        Policies: { PasswordPolicy: { MinimumLength: 10 } },
        MfaConfiguration: 'OFF',
        UserPoolTags: { purpose: 'fuzz' },
        Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    poolId = UserPool!.Id!;
    await region.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'fuzz-existing-user',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'given_name', Value: 'Original' }, { Name: 'custom:tenant', Value: 'acme' }],
      }),
    );
    await region.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'fuzz-existing-group', Description: 'before fuzzing', Precedence: 3 }));
    clientId = (await region.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'fuzz-existing-client' }))).UserPoolClient!.ClientId!;
    original = await snapshot(region.cognito, poolId, clientId);
    poolsBefore = await allPoolIds(region.cognito);
  });

  after(async () => {
    agent?.destroy();
    await region?.stop();
  });

  test(`${CASES} malformed requests all get a 4xx error envelope and change nothing`, async () => {
    const cases = generateCases(SEED, CASES, poolId);
    const port = Number(new URL(region.url).port);
    const failures: string[] = [];
    const seen = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      for (let fuzzCase = cases[next++]; fuzzCase; fuzzCase = cases[next++]) {
        let answer: Answer | null = null;
        let problems: string[];
        try {
          answer = await send(agent, port, fuzzCase);
          problems = problemsWith(answer);
        } catch (error) {
          problems = [`no answer: ${(error as Error).message}`];
        }
        if (answer && problems.length === 0) {
          const key = `${answer.status} ${(JSON.parse(answer.text) as { __type: string }).__type}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
        if (problems.length > 0) {
          failures.push(
            `#${fuzzCase.index} [${fuzzCase.category}, ${fuzzCase.signing}, ${fuzzCase.path.slice(0, 30)}] ${fuzzCase.note}\n    -> ${problems.join('; ')}: ${answer?.status ?? ''} ${answer?.text.slice(0, 300) ?? ''}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    assert.equal(
      failures.length,
      0,
      `seed ${SEED} (rerun with MERIDIAN_FUZZ_SEED=${SEED}): ${failures.length} of ${cases.length} cases failed:\n${failures.slice(0, 25).join('\n')}`,
    );
    // The generator reached validation behind authentication, not only the signature check.
    assert.ok((seen.get('400 InvalidParameterException') ?? 0) > CASES / 10, `answers: ${JSON.stringify([...seen])}`);
    assert.ok((seen.get('400 SerializationException') ?? 0) > 0, `answers: ${JSON.stringify([...seen])}`);

    // Still serving, and nothing was written: same pools, same pool, user, group and client.
    assert.deepEqual(await allPoolIds(region.cognito), poolsBefore, `seed ${SEED}: the set of pools changed`);
    assert.deepEqual(await snapshot(region.cognito, poolId, clientId), original, `seed ${SEED}: the fuzzed pool changed`);
  });
});
