/**
 * The server SRP against the real client: amazon-cognito-identity-js's AuthenticationHelper
 * computes A and the session key, and the signature is built as CognitoUser.authenticateUser does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  checkPasswordClaim,
  createSrpVerifier,
  formatSrpTimestamp,
  isTimestampFresh,
  padHex,
  startPasswordVerifier,
  type PasswordClaim,
} from '../../../src/auth/passwords/srp.ts';

// The package ships no types for its lib/ internals; describe the parts we call.
interface ClientBigInteger {
  toString(radix: number): string;
}
type NodeCallback<T> = (error: unknown, value: T) => void;
interface ClientAuthenticationHelper {
  getLargeAValue(callback: NodeCallback<ClientBigInteger>): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: ClientBigInteger,
    salt: ClientBigInteger,
    callback: NodeCallback<Buffer>,
  ): void;
  padHex(value: ClientBigInteger): string;
  generateHashDevice(deviceGroupKey: string, username: string, callback: NodeCallback<null>): void;
  getSaltDevices(): string;
  getVerifierDevices(): string;
  getRandomPassword(): string;
}
const requireClient = createRequire(import.meta.url);
const AuthenticationHelper = (
  requireClient('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as {
    default: new (poolName: string) => ClientAuthenticationHelper;
  }
).default;
const BigInteger = (
  requireClient('amazon-cognito-identity-js/lib/BigInteger.js') as {
    default: new (value: string, radix: number) => ClientBigInteger;
  }
).default;
const DateHelper = (
  requireClient('amazon-cognito-identity-js/lib/DateHelper.js') as {
    default: new () => { getNowString(): string };
  }
).default;

const N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);

/** The client's callbacks run synchronously; unwrap them. */
function syncResult<T>(run: (callback: NodeCallback<T>) => void): T {
  let result: { value: T } | undefined;
  run((error, value) => {
    if (error) throw error;
    result = { value };
  });
  if (result === undefined) throw new Error('client callback did not run synchronously');
  return result.value;
}

/**
 * One USER_SRP_AUTH round: client A, server B, client signature over a fresh secret block,
 * returning everything the server needs for checkPasswordClaim.
 */
function clientSignIn(options: {
  poolName: string;
  userId: string;
  clientPassword: string;
  salt: string;
  verifier: string;
}): { claim: PasswordClaim } {
  const helper = new AuthenticationHelper(options.poolName);
  const A = syncResult<ClientBigInteger>((callback) => helper.getLargeAValue(callback));
  const clientPublicHex = A.toString(16); // CognitoUser sends SRP_A this way
  const { serverSecret, serverPublic } = startPasswordVerifier(options.verifier);
  const secretBlockBase64 = Buffer.from(`secret-block-${Math.random()}`).toString('base64');

  // CognitoUser.authenticateUserDefaultAuth, PASSWORD_VERIFIER branch.
  const key = syncResult<Buffer>((callback) =>
    helper.getPasswordAuthenticationKey(
      options.userId,
      options.clientPassword,
      new BigInteger(serverPublic, 16),
      new BigInteger(options.salt, 16),
      callback,
    ),
  );
  const timestamp = new DateHelper().getNowString();
  const message = Buffer.concat([
    Buffer.from(options.poolName, 'utf8'),
    Buffer.from(options.userId, 'utf8'),
    Buffer.from(secretBlockBase64, 'base64'),
    Buffer.from(timestamp, 'utf8'),
  ]);
  const signatureBase64 = createHmac('sha256', key).update(message).digest('base64');
  return {
    claim: {
      poolName: options.poolName,
      userId: options.userId,
      saltHex: options.salt,
      verifierHex: options.verifier,
      clientPublicHex,
      serverSecretHex: serverSecret,
      serverPublicHex: serverPublic,
      secretBlockBase64,
      timestamp,
      signatureBase64,
    },
  };
}

const poolName = 'AbCdEf123'; // from pool id "us-east-1_AbCdEf123"

test('the real Cognito client signs in against our verifier (many rounds)', () => {
  // Repeated so that negative intermediates (B - k*g^x) and high-bit padHex cases all occur.
  for (let round = 0; round < 12; round += 1) {
    const userId = `user-${round}-8c1f`;
    const password = `Pa55word!${round}`;
    const { salt, verifier } = createSrpVerifier(poolName, userId, password);
    const { claim } = clientSignIn({ poolName, userId, clientPassword: password, salt, verifier });
    assert.equal(checkPasswordClaim(claim), true, `round ${round}`);
    assert.equal(isTimestampFresh(claim.timestamp, new Date()), true);
  }
});

test('a wrong password is refused', () => {
  const { salt, verifier } = createSrpVerifier(poolName, 'alice', 'right-password');
  const { claim } = clientSignIn({ poolName, userId: 'alice', clientPassword: 'wrong-password', salt, verifier });
  assert.equal(checkPasswordClaim(claim), false);
});

test("a verifier made for one user does not work for another user's id", () => {
  const { salt, verifier } = createSrpVerifier(poolName, 'alice', 'shared-password');
  const { claim } = clientSignIn({ poolName, userId: 'bob', clientPassword: 'shared-password', salt, verifier });
  assert.equal(checkPasswordClaim(claim), false);
});

test('a verifier made for one pool does not work in another pool', () => {
  const { salt, verifier } = createSrpVerifier('PoolOne', 'alice', 'pw');
  const { claim } = clientSignIn({ poolName: 'PoolTwo', userId: 'alice', clientPassword: 'pw', salt, verifier });
  assert.equal(checkPasswordClaim(claim), false);
});

test('tampering with the signature, secret block, timestamp or user id is refused', () => {
  const { salt, verifier } = createSrpVerifier(poolName, 'carol', 'pw');
  const { claim } = clientSignIn({ poolName, userId: 'carol', clientPassword: 'pw', salt, verifier });
  assert.equal(checkPasswordClaim(claim), true);

  const signature = Buffer.from(claim.signatureBase64, 'base64');
  signature[0] = (signature[0] ?? 0) ^ 0x01;
  assert.equal(checkPasswordClaim({ ...claim, signatureBase64: signature.toString('base64') }), false);
  assert.equal(checkPasswordClaim({ ...claim, signatureBase64: signature.subarray(0, 31).toString('base64') }), false);
  assert.equal(checkPasswordClaim({ ...claim, signatureBase64: '' }), false);
  assert.equal(checkPasswordClaim({ ...claim, secretBlockBase64: Buffer.from('other').toString('base64') }), false);
  assert.equal(checkPasswordClaim({ ...claim, timestamp: formatSrpTimestamp(new Date(0)) }), false);
  assert.equal(checkPasswordClaim({ ...claim, userId: 'carol2' }), false);
});

test('A = 0 (mod N) is refused even with the signature an attacker could compute', () => {
  // With A % N == 0, S = 0 whatever the password (RFC 5054 §2.5.4), so an attacker knows the key.
  const { salt, verifier } = createSrpVerifier(poolName, 'dave', 'pw');
  const { serverSecret, serverPublic } = startPasswordVerifier(verifier);
  const secretBlockBase64 = Buffer.from('block').toString('base64');
  const timestamp = formatSrpTimestamp(new Date());
  for (const A of [0n, N, 2n * N]) {
    const uHex = padHex(BigInt(`0x${sha256Hex(Buffer.from(padHex(A) + padHex(BigInt(`0x${serverPublic}`)), 'hex'))}`));
    const key = Buffer.from(hkdfSync('sha256', Buffer.from('00', 'hex'), Buffer.from(uHex, 'hex'), 'Caldera Derived Key', 16));
    const signatureBase64 = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(poolName), Buffer.from('dave'), Buffer.from(secretBlockBase64, 'base64'), Buffer.from(timestamp)]))
      .digest('base64');
    const claim: PasswordClaim = {
      poolName,
      userId: 'dave',
      saltHex: salt,
      verifierHex: verifier,
      clientPublicHex: A.toString(16),
      serverSecretHex: serverSecret,
      serverPublicHex: serverPublic,
      secretBlockBase64,
      timestamp,
      signatureBase64,
    };
    assert.equal(checkPasswordClaim(claim), false, `A = ${A.toString(16).slice(0, 8)}...`);
  }
});

test('malformed hex inputs are a failed claim, not an exception', () => {
  const { salt, verifier } = createSrpVerifier(poolName, 'erin', 'pw');
  const { claim } = clientSignIn({ poolName, userId: 'erin', clientPassword: 'pw', salt, verifier });
  for (const bad of ['', 'xyz', '0x12', 'f'.repeat(5000)]) {
    assert.equal(checkPasswordClaim({ ...claim, clientPublicHex: bad }), false);
    assert.equal(checkPasswordClaim({ ...claim, serverPublicHex: bad }), false);
    assert.equal(checkPasswordClaim({ ...claim, saltHex: bad }), false);
  }
  assert.throws(() => startPasswordVerifier('not hex'));
});

test("a verifier built by the client's own device code works with our server side", () => {
  // generateHashDevice is the client's verifier builder (device group key in the pool-name slot),
  // so this pins our x and v formulas to the client's.
  const deviceGroupKey = '-a1b2c3d4';
  const deviceKey = 'us-east-1_0c1d2e3f-aaaa-bbbb-cccc-123456789abc';
  const builder = new AuthenticationHelper(deviceGroupKey);
  syncResult<null>((callback) => builder.generateHashDevice(deviceGroupKey, deviceKey, callback));
  const { claim } = clientSignIn({
    poolName: deviceGroupKey,
    userId: deviceKey,
    clientPassword: builder.getRandomPassword(),
    salt: builder.getSaltDevices(),
    verifier: builder.getVerifierDevices(),
  });
  assert.equal(checkPasswordClaim(claim), true);
});

test('padHex matches the client for positive, negative and high-bit values', () => {
  const helper = new AuthenticationHelper(poolName);
  const samples = [0n, 1n, 20n, 56n, 127n, 128n, 200n, 236n, 255n, 256n, 0x8000n, 0x7fffn, N, N - 1n, 2n ** 3071n];
  // Pseudo-random values of growing length, about half of them with the top bit set.
  for (let i = 0; i < 40; i += 1) samples.push(BigInt(`0x${sha256Hex(Buffer.from([i])).slice(0, 2 + i)}`));
  for (const positive of samples) {
    for (const value of [positive, -positive]) {
      const clientValue = new BigInteger(value < 0n ? `-${(-value).toString(16)}` : value.toString(16), 16);
      assert.equal(padHex(value).toLowerCase(), helper.padHex(clientValue).toLowerCase(), value.toString(16));
    }
  }
  assert.equal(padHex(-236n).toUpperCase(), 'FF14');
  assert.equal(padHex(236n).toUpperCase(), '00EC');
  assert.equal(padHex(-128n).toUpperCase(), '80');
});

test('formatSrpTimestamp writes the client format, isTimestampFresh accepts only it', () => {
  const at = new Date(Date.UTC(2017, 3, 5, 22, 42, 4));
  assert.equal(formatSrpTimestamp(at), 'Wed Apr 5 22:42:04 UTC 2017');
  assert.equal(isTimestampFresh('Wed Apr 5 22:42:04 UTC 2017', at), true);
  assert.equal(isTimestampFresh('Wed Apr 5 22:47:04 UTC 2017', at), true);
  assert.equal(isTimestampFresh('Wed Apr 5 22:47:05 UTC 2017', at), false);
  assert.equal(isTimestampFresh('Wed Apr 5 22:40:00 UTC 2017', at, 60), false);
  assert.equal(isTimestampFresh('Wed Apr 05 22:42:04 UTC 2017', at), false); // zero-padded day
  assert.equal(isTimestampFresh('Thu Apr 5 22:42:04 UTC 2017', at), false); // wrong weekday
  assert.equal(isTimestampFresh('Wed Apr 31 22:42:04 UTC 2017', at), false); // no such date
  assert.equal(isTimestampFresh('2017-04-05T22:42:04Z', at), false);
  assert.equal(isTimestampFresh(new DateHelper().getNowString(), new Date()), true);
});

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
