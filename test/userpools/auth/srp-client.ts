import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * The client side of USER_SRP_AUTH as amazon-cognito-identity-js computes it (its own
 * AuthenticationHelper), for tests that send the SDK's InitiateAuth / RespondToAuthChallenge
 * themselves and choose the other ChallengeResponses.
 */
interface ClientBigInteger {
  toString(radix: number): string;
}
type NodeCallback<T> = (error: unknown, value: T) => void;
interface ClientAuthenticationHelper {
  getLargeAValue(callback: NodeCallback<ClientBigInteger>): void;
  getPasswordAuthenticationKey(username: string, password: string, serverB: ClientBigInteger, salt: ClientBigInteger, callback: NodeCallback<Buffer>): void;
}
const requireClient = createRequire(import.meta.url);
const AuthenticationHelper = (requireClient('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (poolName: string) => ClientAuthenticationHelper }).default;
const BigInteger = (requireClient('amazon-cognito-identity-js/lib/BigInteger.js') as { default: new (value: string, radix: number) => ClientBigInteger }).default;
const DateHelper = (requireClient('amazon-cognito-identity-js/lib/DateHelper.js') as { default: new () => { getNowString(): string } }).default;

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

export class SrpClient {
  private readonly helper: ClientAuthenticationHelper;
  readonly srpA: string;

  constructor(private readonly poolId: string) {
    this.helper = new AuthenticationHelper(this.poolName);
    this.srpA = syncResult<ClientBigInteger>((callback) => this.helper.getLargeAValue(callback)).toString(16);
  }

  private get poolName(): string {
    return this.poolId.slice(this.poolId.indexOf('_') + 1);
  }

  /** PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE and TIMESTAMP for a PASSWORD_VERIFIER challenge. */
  answer(challenge: Record<string, string>, password: string): Record<string, string> {
    const userId = challenge.USER_ID_FOR_SRP!;
    const key = syncResult<Buffer>((callback) =>
      this.helper.getPasswordAuthenticationKey(userId, password, new BigInteger(challenge.SRP_B!, 16), new BigInteger(challenge.SALT!, 16), callback),
    );
    const timestamp = new DateHelper().getNowString();
    const message = Buffer.concat([Buffer.from(this.poolName, 'utf8'), Buffer.from(userId, 'utf8'), Buffer.from(challenge.SECRET_BLOCK!, 'base64'), Buffer.from(timestamp, 'utf8')]);
    return {
      PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK!,
      PASSWORD_CLAIM_SIGNATURE: createHmac('sha256', key).update(message).digest('base64'),
      TIMESTAMP: timestamp,
    };
  }
}
