import { InvalidParameterException } from '../errors.ts';

/**
 * Callback and sign-out URLs of an app client. The Cognito API reference (CreateUserPoolClient,
 * CallbackURLs) asks for an absolute URI without a fragment (RFC 6749 §3.1.2), HTTPS except for
 * `http://localhost`, `http://127.0.0.1` and `http://[::1]` on any port, and allows app schemes
 * such as `myapp://example`.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Schemes that would run or read something in the browser instead of navigating: a redirect to
 * them from the hosted pages is script injection, whatever the client's intent.
 */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);

export interface RedirectSettings {
  CallbackURLs?: string[];
  LogoutURLs?: string[];
  DefaultRedirectURI?: string;
}

export function checkRedirectSettings(settings: RedirectSettings): void {
  for (const url of [...(settings.CallbackURLs ?? []), ...(settings.LogoutURLs ?? [])]) checkRedirectUrl(url);
  const defaultUri = settings.DefaultRedirectURI;
  if (defaultUri === undefined) return;
  checkRedirectUrl(defaultUri);
  // "The default redirect URI. Must be in the CallbackURLs list."
  if (!settings.CallbackURLs?.includes(defaultUri)) {
    throw new InvalidParameterException('DefaultRedirectURI must be one of the CallbackURLs.');
  }
}

function checkRedirectUrl(url: string): void {
  const parsed = parseAbsolute(url);
  if (!parsed || UNSAFE_SCHEMES.has(parsed.protocol)) throw new InvalidParameterException(`${url} is not a valid redirect URL.`);
  if (url.includes('#')) throw new InvalidParameterException(`${url} must not include a fragment.`);
  if (parsed.protocol === 'http:' && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    // Cognito's own wording for this case.
    throw new InvalidParameterException(`${url} cannot use the HTTP protocol.`);
  }
}

function parseAbsolute(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
