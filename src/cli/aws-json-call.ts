import { signedFetch } from '../wire/signed-fetch.ts';

export interface AwsJsonCall {
  endpoint: string;
  /** The region named in the signature's credential scope. */
  region: string;
  /** SigV4 signing name: `cognito-idp` or `kms`. */
  service: string;
  /** X-Amz-Target, e.g. `AWSCognitoIdentityProviderService.GetUserPoolDigest`. */
  target: string;
  input: unknown;
  credentials: { accessKeyId: string; secretAccessKey: string };
  timeoutMs?: number;
}

/** An AWS JSON 1.1 answer that was not a success, with the service's error type. */
export class AwsJsonCallFailed extends Error {
  constructor(readonly status: number, readonly type: string, detail: string) {
    super(`${status} ${type}: ${detail}`);
    this.name = 'AwsJsonCallFailed';
  }
}

/**
 * One signed AWS JSON 1.1 call, for the CLI's admin commands and for Meridian's extension actions
 * (which the AWS SDK has no commands for). Throws AwsJsonCallFailed on an error answer.
 */
export async function callAwsJson<T = Record<string, unknown>>(call: AwsJsonCall): Promise<T> {
  let response: Response;
  try {
    response = await signedFetch({
      endpoint: call.endpoint,
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': call.target },
      body: JSON.stringify(call.input),
      region: call.region,
      service: call.service,
      credentials: call.credentials,
      signal: AbortSignal.timeout(call.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new AwsJsonCallFailed(0, 'Unreachable', `${call.endpoint}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AwsJsonCallFailed(response.status, 'Error', text.slice(0, 200));
  }
  if (!response.ok) throw new AwsJsonCallFailed(response.status, String(json.__type ?? 'Error'), String(json.message ?? ''));
  return json as T;
}
