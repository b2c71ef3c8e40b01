import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { InvalidSignatureException, UnrecognizedClientException } from './aws-errors.ts';
import type { Principal } from './aws-json-action.ts';

export interface SigningCredential {
  accessKeyId: string;
  secretAccessKey: string;
  principalArn: string;
}

/** Looks up the secret of an access key id; null when the key is unknown. */
export type CredentialLookup = (accessKeyId: string) => SigningCredential | null;

export interface SignedRequest {
  method: string;
  /** Path without the query string, exactly as sent. */
  path: string;
  query: Record<string, string | string[]>;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** AWS rejects signatures more than 15 minutes away from its clock; so do we. */
const MAXIMUM_CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Verifies an AWS Signature Version 4 header by recomputing it with the SDK's own signer
 * (@smithy/signature-v4) over the same headers, and comparing in constant time. Returns the
 * principal, or throws the error AWS gives: unknown key -> UnrecognizedClientException, any
 * mismatch -> InvalidSignatureException.
 */
export interface VerificationOptions {
  /** The region this server is: a signature scoped to another region is refused, as AWS does. */
  region?: string;
  now?: number;
}

export async function verifySignature(request: SignedRequest, lookup: CredentialLookup, expectedService: string, options: VerificationOptions = {}): Promise<Principal> {
  const now = options.now ?? Date.now();
  const authorization = headerValue(request.headers.authorization);
  // AWS answers MissingAuthenticationTokenException here; the operator contract asks for one of
  // the two signature errors, and an unsigned call is an unrecognized client.
  if (!authorization) throw new UnrecognizedClientException('Missing Authentication Token: admin actions must be signed with AWS Signature Version 4.');
  const match = AUTHORIZATION_PATTERN.exec(authorization);
  if (!match) throw new InvalidSignatureException('Authorization header requires Credential, SignedHeaders and Signature in AWS4-HMAC-SHA256 form.');
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];

  const credential = lookup(accessKeyId!);
  if (!credential) throw new UnrecognizedClientException('The security token included in the request is invalid.');
  if (service !== expectedService) throw new InvalidSignatureException(`Credential should be scoped to correct service: '${expectedService}'.`);
  if (options.region && region !== options.region) {
    throw new InvalidSignatureException(`Credential should be scoped to a valid region, not '${region}'. Expected '${options.region}'.`);
  }

  const amzDate = headerValue(request.headers['x-amz-date']);
  const signingDate = amzDate ? parseAmzDate(amzDate) : null;
  if (!signingDate || amzDate!.slice(0, 8) !== scopeDate) throw new InvalidSignatureException('X-Amz-Date is missing or does not match the credential scope date.');
  if (Math.abs(now - signingDate.getTime()) > MAXIMUM_CLOCK_SKEW_MS) throw new InvalidSignatureException('Signature expired: the request time is too far from the server time.');

  // The signer takes the payload hash from x-amz-content-sha256 when there is one and never hashes
  // the body itself: unchecked, a captured request could carry any other body under its signature
  // (AdminSetUserPassword for another user). UNSIGNED-PAYLOAD is S3's; nothing here accepts it.
  const claimedHash = headerValue(request.headers['x-amz-content-sha256']);
  if (claimedHash !== undefined && !constantTimeEqual(claimedHash, createHash('sha256').update(request.body).digest('hex'))) {
    throw new InvalidSignatureException('The provided x-amz-content-sha256 header does not match what was computed.');
  }

  const signedHeaders = signedHeaderList!.split(';');
  // The signature must cover what selects the call: the host and, in AWS JSON, X-Amz-Target (the
  // action; the body is covered by the payload hash). Left unsigned, a captured request could be
  // sent again within the clock skew as another action: AdminGetUser's as AdminDeleteUser.
  for (const required of ['host', 'x-amz-date', ...(request.headers['x-amz-target'] !== undefined ? ['x-amz-target'] : [])]) {
    if (!signedHeaders.includes(required)) throw new InvalidSignatureException(`The ${required} header must be signed.`);
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) throw new InvalidSignatureException(`Signed header ${name} is missing from the request.`);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }

  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    region: region!,
    service: service!,
    sha256: Sha256,
    uriEscapePath: true,
    // Only the headers the client signed: the AWS CLI, boto3 and the Go SDK sign without an
    // x-amz-content-sha256 header, which this signer would otherwise add to what it signs.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: request.method, protocol: 'http:', hostname: headers.host ?? '', path: request.path, query: request.query, headers, body: request.body }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(headerValue(signed.headers.authorization) ?? '')?.[1] ?? '';
  if (!constantTimeEqual(expected, signature!)) {
    throw new InvalidSignatureException('The request signature we calculated does not match the signature you provided.');
  }
  return { accessKeyId: credential.accessKeyId, arn: credential.principalArn };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseAmzDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The query of a URL as the signature covers it: every value of a repeated parameter, in order.
 * (Object.fromEntries would keep only the last, while a route reading URLSearchParams.get takes
 * the first: `?poolId=B&poolId=A` would pass a signature made for `poolId=A` and serve B.)
 */
export function signedQueryOf(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}
