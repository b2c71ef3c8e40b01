import type { AppClientRecord } from '../userpools/clients/app-client.ts';
import { findClient } from '../userpools/clients/client-directory.ts';
import { CLIENT_ID_PATTERN } from '../userpools/shared/identifiers.ts';
import { secretsEqual } from '../userpools/clients/client-secret.ts';
import type { UserPoolServices } from '../userpools/services.ts';
import { InvalidClient, InvalidRequest } from './oauth-errors.ts';

/**
 * Client authentication at the token endpoint (RFC 6749 §2.3): HTTP Basic with the client id as
 * user name and the secret as password (§2.3.1, `client_secret_basic`), or `client_id` and
 * `client_secret` in the form body (`client_secret_post`), never both (§2.3: "MUST NOT use more
 * than one authentication method in each request"). A client without a secret (a public client)
 * names itself with `client_id` alone (§3.2.1, method `none`).
 */
export type ClientAuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientCredentials {
  clientId: string;
  /** Candidate secrets: one, or for Basic both the form-decoded and the raw password (see below). */
  secrets: string[];
  method: ClientAuthenticationMethod;
}

export interface AuthenticatedClient {
  client: AppClientRecord;
  method: ClientAuthenticationMethod;
}

/** Form parameters as the token endpoint read them (at most one value each). */
export interface ParameterReader {
  get(name: string): string | undefined;
}

/** Whether the request tries HTTP Basic authentication (decides the 401 challenge of RFC 6749 §5.2). */
export function triesBasicAuthentication(authorization: string | undefined): boolean {
  return authorization !== undefined && /^basic(\s|$)/i.test(authorization.trim());
}

/**
 * Reads the credentials a token request presents, without looking anything up. Throws
 * InvalidRequest for two methods at once and InvalidClient for none, a malformed header or a
 * client id no client can have (so it is never looked up).
 */
export function readClientCredentials(authorization: string | undefined, form: ParameterReader): ClientCredentials {
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  if (authorization !== undefined && authorization.trim() !== '') {
    if (!triesBasicAuthentication(authorization)) throw new InvalidClient('Only HTTP Basic client authentication is supported in the Authorization header.');
    const basic = parseBasic(authorization);
    if (bodySecret !== undefined) throw new InvalidRequest('Client credentials were sent both in the Authorization header and in the body; use one method.');
    // A client_id beside Basic is tolerated when it names the same client (Cognito's own examples send both).
    if (bodyId !== undefined && bodyId !== basic.clientId) throw new InvalidRequest('client_id in the body does not match the client of the Authorization header.');
    return wellFormed({ clientId: basic.clientId, secrets: basic.secrets, method: 'client_secret_basic' });
  }
  if (bodyId === undefined) throw new InvalidClient('Client authentication is required: HTTP Basic, or client_id and client_secret in the body.');
  return wellFormed(bodySecret === undefined ? { clientId: bodyId, secrets: [], method: 'none' } : { clientId: bodyId, secrets: [bodySecret], method: 'client_secret_post' });
}

/** Checks the credentials against the app client of the pool (read here). */
export async function authenticateClient(services: UserPoolServices, poolId: string, credentials: ClientCredentials): Promise<AuthenticatedClient> {
  const client = await services.vault.read(poolId, (records) => findClient(records, credentials.clientId));
  return checkClientCredentials(client, credentials);
}

/**
 * Checks the credentials against the app client they name, as the caller read it (null: there is
 * none), so a caller can do it inside its own transaction. Every failure is the same
 * InvalidClient, so the answer does not tell an unknown client from a wrong secret.
 */
export function checkClientCredentials(client: AppClientRecord | null, credentials: ClientCredentials): AuthenticatedClient {
  if (!client || client.id !== credentials.clientId) throw authenticationFailed();
  if (client.secret === undefined) {
    // A public client has nothing to prove; a secret sent for it is a misconfigured caller.
    if (credentials.method !== 'none') throw authenticationFailed();
    return { client, method: 'none' };
  }
  if (credentials.method === 'none') throw authenticationFailed();
  let matched = false;
  for (const candidate of credentials.secrets) matched = secretsEqual(client.secret, candidate) || matched;
  if (!matched) throw authenticationFailed();
  return { client, method: credentials.method };
}

function authenticationFailed(): Error {
  return new InvalidClient('Client authentication failed.');
}

function wellFormed(credentials: ClientCredentials): ClientCredentials {
  if (!CLIENT_ID_PATTERN.test(credentials.clientId)) throw authenticationFailed();
  return credentials;
}

/**
 * `Basic base64(urlencode(client_id) ":" urlencode(client_secret))` (RFC 6749 §2.3.1). Many
 * clients (and Cognito's documentation) skip the form-encoding; secrets may contain `+`, which
 * form-decoding would turn into a space, so the raw password is a second candidate.
 */
function parseBasic(authorization: string): { clientId: string; secrets: string[] } {
  const encoded = authorization.trim().slice(5).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new InvalidClient('Malformed HTTP Basic credentials.');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('Malformed HTTP Basic credentials.');
  const rawId = decoded.slice(0, colon);
  const rawSecret = decoded.slice(colon + 1);
  const clientId = formDecode(rawId);
  const secret = formDecode(rawSecret);
  if (clientId === null || clientId === '') throw new InvalidClient('Malformed HTTP Basic credentials.');
  const secrets = secret === null ? [rawSecret] : secret === rawSecret ? [secret] : [secret, rawSecret];
  return { clientId, secrets };
}

/** application/x-www-form-urlencoded decoding of one value; null when malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
