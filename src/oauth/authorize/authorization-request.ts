import type { FastifyRequest } from 'fastify';
import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { AppClientRecord } from '../../userpools/clients/app-client.ts';
import { findClient } from '../../userpools/clients/client-directory.ts';
import { CLIENT_ID_PATTERN } from '../../userpools/shared/identifiers.ts';
import { loadPool } from '../../userpools/pools/pool-directory.ts';
import type { UserPoolRecord } from '../../userpools/pools/user-pool.ts';
import { definedCustomScopes } from '../../userpools/resource-servers/resource-server-directory.ts';
import { parseScopeParameter } from '../token-endpoint/scope-parameter.ts';
import { AuthorizationPageError, AuthorizationRedirectError, type RedirectTarget } from './authorization-errors.ts';

/**
 * An authorization request (RFC 6749 §4.1.1 and §4.2.1, OIDC Core §3.1.2.1, RFC 7636 §4.3) as
 * /oauth2/authorize and every hosted page receive it, checked against the pool's app client the
 * way Cognito's authorize endpoint checks it ("The redirect and authorization endpoint").
 */
export interface AuthorizationRequest {
  pool: UserPoolRecord;
  client: AppClientRecord;
  responseType: 'code' | 'token';
  /** Exactly one of the client's CallbackURLs. */
  redirectUri: string;
  state?: string;
  nonce?: string;
  /** Granted scopes, in request order. */
  scopes: string[];
  /** RFC 7636 S256 challenge; required for public clients in the code flow. */
  codeChallenge?: string;
  prompt?: 'none' | 'login';
  /** OIDC max_age in seconds: an older browser session must sign in again. */
  maxAge?: number;
  /** The request's own parameters, carried from /oauth2/authorize through the hosted pages. */
  carried: URLSearchParams;
  target: RedirectTarget;
}

/** Parameters the hosted pages carry in their URLs (prompt and max_age are spent at /oauth2/authorize). */
const CARRIED_PARAMETERS = ['response_type', 'client_id', 'redirect_uri', 'state', 'scope', 'nonce', 'code_challenge', 'code_challenge_method'] as const;

/** Scopes that describe the user and so need `openid` (Cognito: "can only be requested with the openid scope"). */
const OPENID_DEPENDENT_SCOPES = new Set(['email', 'phone', 'profile']);

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** Generous bounds for values that are echoed back or sealed into codes. */
const MAX_ECHOED_LENGTH = 2048;

/** Query parameters: each at most once; empty values count as absent (RFC 6749 §3.1). */
export interface QueryParameters {
  values: Map<string, string>;
  repeated: Set<string>;
}

export function readQueryParameters(request: FastifyRequest): QueryParameters {
  const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(search)) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
    if (value !== '' && !values.has(name)) values.set(name, value);
  }
  return { values, repeated };
}

/**
 * Checks an authorization request. Throws AuthorizationPageError while the client or redirect URI
 * is unknown, AuthorizationRedirectError after.
 */
export async function validateAuthorizationRequest(records: EncryptedRecords, query: QueryParameters): Promise<AuthorizationRequest> {
  const get = (name: string) => query.values.get(name);
  const clientId = get('client_id');
  if (clientId === undefined || query.repeated.has('client_id')) throw new AuthorizationPageError(400, 'The request has no client_id, or more than one.');
  const client = CLIENT_ID_PATTERN.test(clientId) ? await findClient(records, clientId) : null;
  if (!client) throw new AuthorizationPageError(400, 'The app client does not exist in this user pool.');
  const redirectUri = get('redirect_uri');
  if (redirectUri === undefined || query.repeated.has('redirect_uri')) throw new AuthorizationPageError(400, 'The request has no redirect_uri, or more than one.');
  // RFC 6749 §3.1.2.3 and Cognito: the redirect URI must be one of the registered ones, compared as strings.
  if (!(client.settings.CallbackURLs ?? []).includes(redirectUri)) {
    throw new AuthorizationPageError(400, 'The redirect_uri is not one of the callback URLs of this app client.');
  }

  const responseType = get('response_type');
  const state = get('state');
  const target: RedirectTarget = { redirectUri, state: state !== undefined && state.length <= MAX_ECHOED_LENGTH ? state : undefined, mode: responseType === 'token' ? 'fragment' : 'query' };
  const fail = (error: ConstructorParameters<typeof AuthorizationRedirectError>[1], description: string) => new AuthorizationRedirectError(target, error, description);

  const repeated = [...query.repeated][0];
  if (repeated !== undefined) throw fail('invalid_request', `The parameter ${repeated} is included more than once.`);
  if (state !== undefined && state.length > MAX_ECHOED_LENGTH) throw fail('invalid_request', 'The state parameter is too long.');
  const settings = client.settings;
  if (!settings.AllowedOAuthFlowsUserPoolClient) throw fail('unauthorized_client', 'The app client is not allowed OAuth flows.');
  const providers = settings.SupportedIdentityProviders;
  if (providers !== undefined && !providers.includes('COGNITO')) throw fail('unauthorized_client', 'The app client does not allow sign-in with the user pool directory (COGNITO).');

  if (responseType === undefined) throw fail('invalid_request', 'response_type is required.');
  if (responseType !== 'code' && responseType !== 'token') throw fail('unsupported_response_type', 'response_type must be code or token.');
  const flow = responseType === 'code' ? 'code' : 'implicit';
  if (!settings.AllowedOAuthFlows?.includes(flow)) throw fail('unauthorized_client', `The app client is not allowed the ${flow} flow.`);

  // Only the pool's own users sign in here; federated identity providers are not configured.
  const provider = get('identity_provider');
  if (provider !== undefined && provider !== 'COGNITO') throw fail('invalid_request', `The identity provider ${provider} is not configured for this app client.`);
  if (get('idp_identifier') !== undefined) throw fail('invalid_request', 'No identity provider has this idp_identifier.');

  const scopes = await grantedScopes(records, client, get('scope'), (description) => fail('invalid_scope', description));

  let codeChallenge: string | undefined;
  if (responseType === 'code') {
    codeChallenge = get('code_challenge');
    const method = get('code_challenge_method');
    if (codeChallenge === undefined && method !== undefined) throw fail('invalid_request', 'code_challenge_method was sent without code_challenge.');
    // RFC 7636 §4.3 defaults the method to plain, which only protects against nothing: S256 only.
    if (codeChallenge !== undefined && method !== 'S256') throw fail('invalid_request', 'code_challenge_method must be S256.');
    if (codeChallenge !== undefined && !S256_CHALLENGE.test(codeChallenge)) throw fail('invalid_request', 'code_challenge is not a BASE64URL-encoded SHA-256 digest.');
    // RFC 7636 §4.4.1 / RFC 9700 §2.1.1: a public client has no secret to bind the code with, so PKCE is required.
    if (codeChallenge === undefined && client.secret === undefined) throw fail('invalid_request', 'PKCE (code_challenge with code_challenge_method S256) is required for a client without a secret.');
  }

  const nonce = get('nonce');
  if (nonce !== undefined && nonce.length > MAX_ECHOED_LENGTH) throw fail('invalid_request', 'The nonce parameter is too long.');
  const prompt = parsePrompt(get('prompt'), fail);
  const maxAge = get('max_age');
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw fail('invalid_request', 'max_age must be a non-negative number of seconds.');

  const carried = new URLSearchParams();
  for (const name of CARRIED_PARAMETERS) {
    const value = get(name);
    if (value !== undefined) carried.set(name, value);
  }
  return {
    pool: await loadPool(records),
    client,
    responseType,
    redirectUri,
    state,
    nonce,
    scopes,
    codeChallenge,
    prompt,
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
    carried,
    target,
  };
}

/**
 * RFC 6749 §3.3: every requested scope must be allowed to the client and still exist (a custom
 * scope whose resource server was deleted is not granted); without a scope parameter the client
 * gets all its allowed scopes, as Cognito does. email, phone and profile need openid.
 */
async function grantedScopes(records: EncryptedRecords, client: AppClientRecord, parameter: string | undefined, fail: (description: string) => Error): Promise<string[]> {
  let requested: string[] | null;
  try {
    requested = parseScopeParameter(parameter);
  } catch {
    throw fail('The scope parameter contains characters RFC 6749 does not allow in a scope.');
  }
  const allowed = client.settings.AllowedOAuthScopes ?? [];
  const notAllowed = requested?.find((scope) => !allowed.includes(scope));
  if (notAllowed !== undefined) throw fail(`The app client is not allowed the scope ${notAllowed}.`);
  const candidates = requested ?? allowed;
  const custom = await definedCustomScopes(records, candidates);
  const granted = candidates.filter((scope) => !scope.includes('/') || custom.has(scope));
  if (requested && granted.length < requested.length) throw fail(`The scope ${requested.find((scope) => !granted.includes(scope))} does not exist in this user pool.`);
  if (granted.length === 0) throw fail('No scope can be granted.');
  const dependent = granted.find((scope) => OPENID_DEPENDENT_SCOPES.has(scope));
  if (dependent !== undefined && !granted.includes('openid')) throw fail(`The scope ${dependent} can only be requested with the openid scope.`);
  return granted;
}

/** OIDC Core §3.1.2.1: `none` must stand alone; `login` forces the form; others are accepted and ignored. */
function parsePrompt(value: string | undefined, fail: (error: 'invalid_request', description: string) => Error): 'none' | 'login' | undefined {
  if (value === undefined) return undefined;
  const values = value.split(' ').filter((item) => item !== '');
  if (values.includes('none')) {
    if (values.length > 1) throw fail('invalid_request', 'prompt=none cannot be combined with other values.');
    return 'none';
  }
  return values.includes('login') ? 'login' : undefined;
}
