/**
 * How the browser-facing endpoints fail (RFC 6749 §4.1.2.1, §4.2.2.1). Until the client and its
 * redirect URI are known to be valid, an error is shown to the user on an HTML page and the
 * browser is never sent anywhere: a redirect to an unvalidated URI would make the server an open
 * redirector. Once they are valid, errors go back to the client at its redirect URI with `error`,
 * `error_description` and the request's `state`, in the query for the code flow and in the
 * fragment for the implicit flow.
 */
export class AuthorizationPageError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'AuthorizationPageError';
  }
}

export interface RedirectTarget {
  redirectUri: string;
  state?: string;
  /** RFC 6749: query for response_type=code, fragment for response_type=token. */
  mode: 'query' | 'fragment';
}

/** The error codes of RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 this server sends. */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'login_required';

export class AuthorizationRedirectError extends Error {
  constructor(readonly target: RedirectTarget, readonly error: AuthorizationErrorCode, description: string) {
    super(description);
    this.name = 'AuthorizationRedirectError';
  }
}

/** The redirect URI with `values` added, keeping its own query (RFC 6749 §3.1.2). */
export function redirectUrl(target: RedirectTarget, values: Record<string, string | undefined>): string {
  const url = new URL(target.redirectUri);
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...values, state: target.state })) if (value !== undefined) parameters.append(name, value);
  if (target.mode === 'fragment') {
    url.hash = parameters.toString();
  } else {
    for (const [name, value] of parameters) url.searchParams.append(name, value);
  }
  return url.toString();
}

export function errorRedirectUrl(error: AuthorizationRedirectError): string {
  return redirectUrl(error.target, { error: error.error, error_description: describable(error.message) });
}

/** error_description allows only %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §4.1.2.1). */
function describable(message: string): string {
  return message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
}
