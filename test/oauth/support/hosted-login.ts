import { createHash, randomBytes } from 'node:crypto';

/**
 * The hosted login driven over plain HTTP, for tests that need a code but test something else
 * (the Chromium tests drive the same pages as a user would). Follows /oauth2/authorize to
 * /login, keeps the cookies, posts the form with its CSRF token, and returns where the server
 * sent the browser.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const equals = pair!.indexOf('=');
      const name = pair!.slice(0, equals);
      const value = pair!.slice(equals + 1);
      if (/max-age=0/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  /** Another jar holding the same cookies now (a copied, or stolen, cookie). */
  copy(): CookieJar {
    const copied = new CookieJar();
    for (const [name, value] of this.cookies) copied.cookies.set(name, value);
    return copied;
  }
}

export async function getManual(url: string, jar?: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: jar ? { cookie: jar.header() } : {} });
  jar?.store(response);
  return response;
}

/** The form of a hosted page: where it posts and its hidden fields. */
export function readForm(html: string): { action: string; hidden: Record<string, string> } {
  const decode = (value: string) => value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
  const action = /<form method="post" action="([^"]*)"/.exec(html);
  if (!action) throw new Error(`no form in page: ${html.slice(0, 500)}`);
  const hidden: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[decode(match[1]!)] = decode(match[2]!);
  return { action: decode(action[1]!), hidden };
}

export async function postForm(origin: string, action: string, fields: Record<string, string>, jar: CookieJar): Promise<Response> {
  const response = await fetch(new URL(action, origin), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  jar.store(response);
  return response;
}

/**
 * Signs in at `authorizeUrl` and returns the Location the login answered with (the callback with
 * a code, or an error). The jar keeps the browser session for later requests.
 */
export async function signInOverHttp(authorizeUrl: string, username: string, password: string, jar = new CookieJar()): Promise<{ location: URL; jar: CookieJar }> {
  const authorize = await getManual(authorizeUrl, jar);
  const loginUrl = authorize.headers.get('location');
  if (authorize.status !== 302 || !loginUrl) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  const login = await getManual(loginUrl, jar);
  const form = readForm(await login.text());
  const answer = await postForm(loginUrl, form.action, { ...form.hidden, username, password }, jar);
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) throw new Error(`login answered ${answer.status}: ${(await answer.text()).slice(0, 2000)}`);
  return { location: new URL(location), jar };
}

/** A PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(base: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.set(name, value);
  return `${base}/oauth2/authorize?${query.toString()}`;
}

export async function postToken(base: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
