import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SignedFetchRequest {
  /** Base URL of the service, e.g. `http://127.0.0.1:9000` (a path prefix is kept). */
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the endpoint, e.g. `/admin/outbox`; `/` for the AWS JSON protocols. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** Credential scope: the called region and the service's signing name. */
  region: string;
  service: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  signal?: AbortSignal;
}

/**
 * One SigV4-signed HTTP request with fetch, as every Meridian client of a Meridian endpoint sends
 * it (CLI admin commands, inter-region replication and KMS key replication): the SDK's own signer
 * over exactly the method, path, query, headers and body that go on the wire. Errors of fetch
 * itself (unreachable, aborted) are the caller's to translate.
 */
export async function signedFetch(request: SignedFetchRequest): Promise<Response> {
  const endpoint = new URL(request.endpoint);
  const path = `${endpoint.pathname.replace(/\/$/, '')}${request.path}` || '/';
  const query = request.query ?? {};
  const signer = new SignatureV4({ credentials: request.credentials, region: request.region, service: request.service, sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query,
      headers: { host: endpoint.host, ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
    }),
  );
  const url = new URL(path, endpoint);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  // fetch sets the same Host itself.
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
  return fetch(url, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}), ...(request.signal ? { signal: request.signal } : {}) });
}
