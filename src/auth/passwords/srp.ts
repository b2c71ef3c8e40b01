/**
 * Server side of Cognito's SRP-6a (USER_SRP_AUTH -> PASSWORD_VERIFIER).
 *
 * SRP-6a is RFC 2945 with the k multiplier of RFC 5054 §2.5-2.6, SHA-256 and the 3072-bit group of
 * RFC 5054 Appendix A (= RFC 3526 group 15). Cognito departs from RFC 5054 in its byte encoding:
 * every number is hashed as the hex of its minimal two's-complement form (`padHex` below), not
 * left-padded to the length of N. Clients (amazon-cognito-identity-js lib/AuthenticationHelper.js,
 * Amplify, the mobile SDKs) all do the same, so we must reproduce it bit for bit.
 *
 * Big-number exponentiation goes through OpenSSL via Node's DiffieHellman object: it is about
 * 7x faster than square-and-multiply on JS bigints and runs in constant time for secret exponents.
 */
import {
  createDiffieHellman,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** RFC 5054 Appendix A, 3072-bit group (the same prime as RFC 3526 §4, group 15). */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt(`0x${N_HEX}`);
const N_BYTES = Buffer.from(N_HEX, 'hex');
const g = 2n;

/**
 * Length of the server's secret b. RFC 5054 §2.6 asks for at least 256 bits; RFC 3526 §8 puts the
 * exponent needed for group 15's strength at 260-420 bits, so 512 bits clears both estimates.
 */
const SERVER_SECRET_BYTES = 64;

/** Bound on hex inputs from the wire (N is 768 hex digits) so nobody can make us crunch megabytes. */
const MAX_HEX_DIGITS = 1024;

/** HKDF info of Cognito's session key (AuthenticationHelper.infoBits). */
const KEY_INFO = Buffer.from('Caldera Derived Key', 'utf8');

/**
 * Hex of the minimal two's-complement encoding of an integer (Java's BigInteger.toByteArray()),
 * exactly as AuthenticationHelper.padHex: even length, "00" prepended when the top bit is set, and
 * negative values written as two's complement. Only non-negative values reach it on the server,
 * but it is kept faithful so any caller gets the client's bytes.
 */
export function padHex(value: bigint): string {
  const negative = value < 0n;
  let hex = (negative ? -value : value).toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  if (/^[89a-f]/i.test(hex)) hex = `00${hex}`;
  if (negative) {
    const inverted = [...hex].map((nibble) => (~parseInt(nibble, 16) & 0xf).toString(16)).join('');
    hex = (BigInt(`0x${inverted}`) + 1n).toString(16);
    // A run of leading 1 bits is one sign bit: 0xFF80 encodes the same value as 0x80.
    if (hex.toUpperCase().startsWith('FF8')) hex = hex.substring(2);
  }
  return hex;
}

/** SHA-256 as lowercase hex: AuthenticationHelper.hash (strings are hashed as UTF-8). */
function hash(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the bytes a hex string spells: AuthenticationHelper.hexHash. */
function hexHash(hex: string): string {
  return hash(Buffer.from(hex, 'hex'));
}

/** Parses wire or stored hex into a bigint; undefined when it is not bounded, plain hex. */
function parseHex(hex: string): bigint | undefined {
  if (hex.length === 0 || hex.length > MAX_HEX_DIGITS || !/^[0-9a-f]+$/i.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

function toBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

/**
 * base^exponent mod N for exponent >= 0, computed by OpenSSL: a DH object with private key =
 * exponent turns computeSecret(base) into a modular exponentiation. OpenSSL refuses "public keys"
 * outside 2..N-2, so those trivial bases are answered here.
 */
function modPowN(base: bigint, exponent: bigint): bigint {
  const reduced = ((base % N) + N) % N;
  if (exponent === 0n) return 1n;
  if (reduced === 0n || reduced === 1n) return reduced;
  if (reduced === N - 1n) return exponent % 2n === 0n ? 1n : N - 1n;
  const dh = createDiffieHellman(N_BYTES, Buffer.from([Number(g)]));
  dh.setPrivateKey(toBytes(exponent));
  return BigInt(`0x${dh.computeSecret(toBytes(reduced)).toString('hex')}`);
}

/** k = H(PAD(N) | PAD(g)) (RFC 5054 §2.5.3), with Cognito's padHex rather than RFC 5054's PAD. */
const k = BigInt(`0x${hexHash(padHex(N) + padHex(g))}`);

/** x = H(salt | H(poolName | userId | ":" | password)) (RFC 2945 §3, RFC 5054 §2.4). */
function computeX(salt: bigint, poolName: string, userId: string, password: string): bigint {
  const identityHash = hash(`${poolName}${userId}:${password}`);
  return BigInt(`0x${hexHash(padHex(salt) + identityHash)}`);
}

/**
 * Makes a salt and verifier v = g^x mod N for a password, the way the client builds a device
 * verifier (AuthenticationHelper.generateHashDevice): 16 random bytes, both values padHex'd.
 */
export function createSrpVerifier(
  poolName: string,
  userId: string,
  password: string,
): { salt: string; verifier: string } {
  const salt = padHex(BigInt(`0x${randomBytes(16).toString('hex')}`));
  const x = computeX(BigInt(`0x${salt}`), poolName, userId, password);
  return { salt, verifier: padHex(modPowN(g, x)) };
}

/**
 * Server's first step: B = (k*v + g^b) mod N (RFC 5054 §2.6). A B divisible by N would make the
 * client abort (RFC 5054 §2.5.4), so that b is drawn again. serverSecret must stay server-side.
 */
export function startPasswordVerifier(verifierHex: string): {
  serverSecret: string;
  serverPublic: string;
} {
  const v = parseHex(verifierHex);
  if (v === undefined) throw new Error('SRP verifier is not a hex string');
  for (;;) {
    const secret = randomBytes(SERVER_SECRET_BYTES);
    const b = BigInt(`0x${secret.toString('hex')}`);
    if (b === 0n) continue;
    const B = (k * v + modPowN(g, b)) % N;
    if (B === 0n) continue;
    // Unpadded hex, the form the client sends SRP_A in; clients parse either form.
    return { serverSecret: secret.toString('hex'), serverPublic: B.toString(16) };
  }
}

export interface PasswordClaim {
  poolName: string;
  userId: string;
  saltHex: string;
  verifierHex: string;
  /** SRP_A from InitiateAuth. */
  clientPublicHex: string;
  serverSecretHex: string;
  /** SRP_B as sent in the PASSWORD_VERIFIER challenge. */
  serverPublicHex: string;
  /** PASSWORD_CLAIM_SECRET_BLOCK (the caller checks it is the block it issued). */
  secretBlockBase64: string;
  /** TIMESTAMP, signed as given (freshness is isTimestampFresh's job). */
  timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE. */
  signatureBase64: string;
}

/**
 * Verifies PASSWORD_CLAIM_SIGNATURE. The client proves knowledge of the session key with
 * HMAC-SHA256(key, poolName | userId | secretBlock | timestamp) (CognitoUser.authenticateUser)
 * where key = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived Key", L = 16).
 * Any malformed input is a failed claim, never an exception.
 */
export function checkPasswordClaim(input: PasswordClaim): boolean {
  const A = parseHex(input.clientPublicHex);
  const B = parseHex(input.serverPublicHex);
  const b = parseHex(input.serverSecretHex);
  const v = parseHex(input.verifierHex);
  const salt = parseHex(input.saltHex);
  if (A === undefined || B === undefined || b === undefined || v === undefined) return false;
  if (salt === undefined) return false;
  // RFC 5054 §2.5.4: the host MUST abort if A % N is zero (else S is predictable).
  if (A % N === 0n) return false;
  // RFC 5054 §2.6: u = H(PAD(A) | PAD(B)); the client refuses u == 0, so must we.
  const u = BigInt(`0x${hexHash(padHex(A) + padHex(B))}`);
  if (u === 0n) return false;
  // RFC 5054 §2.6: S = (A * v^u) ^ b % N.
  const S = modPowN((A * modPowN(v, u)) % N, b);
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'), KEY_INFO, 16),
  );
  const expected = createHmac('sha256', key)
    .update(Buffer.from(input.poolName, 'utf8'))
    .update(Buffer.from(input.userId, 'utf8'))
    .update(Buffer.from(input.secretBlockBase64, 'base64'))
    .update(Buffer.from(input.timestamp, 'utf8'))
    .digest();
  const given = Buffer.from(input.signatureBase64, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The client's TIMESTAMP, "EEE MMM d HH:mm:ss UTC yyyy" in English (DateHelper.getNowString):
 * day of month without a leading zero, e.g. "Wed Apr 5 22:42:34 UTC 2017".
 */
export function formatSrpTimestamp(date: Date): string {
  const twoDigits = (n: number): string => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:` +
    `${twoDigits(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/**
 * True when the timestamp is in the client's exact format and within skewSeconds of now. Only the
 * canonical form passes (it must re-format to itself), because Cognito refuses a zero-padded day
 * or a weekday that does not match the date.
 */
export function isTimestampFresh(timestamp: string, now: Date, skewSeconds = 300): boolean {
  const match = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(timestamp);
  if (match === null) return false;
  const [, month, day, hours, minutes, seconds, year] = match;
  const monthIndex = MONTHS.indexOf(month ?? '');
  if (monthIndex < 0) return false;
  const parsed = new Date(
    Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)),
  );
  if (Number.isNaN(parsed.getTime()) || formatSrpTimestamp(parsed) !== timestamp) return false;
  return Math.abs(parsed.getTime() - now.getTime()) <= skewSeconds * 1000;
}
