import type { FastifyInstance } from 'fastify';

/** How long a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface CrossOriginOptions {
  /** The methods the endpoints answer. */
  methods: readonly string[];
  /**
   * Request headers a page may send: by default Authorization and Content-Type; `requested`
   * allows what the preflight asks for (the AWS SDKs send several headers of their own, and
   * which ones changes between versions).
   */
  allowHeaders?: readonly string[] | 'requested';
  /** Response headers a page may read besides the CORS-safelisted ones. */
  exposeHeaders?: readonly string[];
}

const DEFAULT_ALLOWED_HEADERS = ['authorization', 'content-type'];

/**
 * Lets browser apps on any origin call the endpoints of `scope` with fetch, as Cognito lets them
 * call its API (Amplify and amazon-cognito-identity-js run in the page) and its token endpoint
 * ("returns an Access-Control-Allow-Origin: * response header ... you can complete an
 * authorization code grant with PKCE from a public client"; no custom origin policy): every
 * answer, errors included, carries `Access-Control-Allow-Origin: *`, and a CORS preflight
 * (OPTIONS with Access-Control-Request-Method) is answered 204 before the route runs. The scope
 * must have a route for OPTIONS (or `all`), or the preflight never reaches the hook.
 *
 * Why `*` is safe here: these endpoints authenticate by what the caller sends (a SigV4 signature,
 * a client secret, a code and its PKCE verifier, a bearer token), never by the hosted pages'
 * session cookie, and a `*` answer is never readable by a request that carries cookies. Never
 * for the hosted pages, /oauth2/authorize or /logout, which browsers navigate to and which do
 * rely on the cookie.
 */
export function allowCrossOrigin(scope: FastifyInstance, options: CrossOriginOptions): void {
  const allowMethods = options.methods.join(', ');
  const fixedHeaders = options.allowHeaders === 'requested' ? null : (options.allowHeaders ?? DEFAULT_ALLOWED_HEADERS).join(', ');
  const exposeHeaders = options.exposeHeaders?.join(', ');
  scope.addHook('onRequest', (request, reply, done) => {
    reply.header('access-control-allow-origin', '*');
    // The preflight's answer depends on the headers it asked for: caches must key on them.
    if (fixedHeaders === null) reply.header('vary', 'Access-Control-Request-Headers');
    if (exposeHeaders) reply.header('access-control-expose-headers', exposeHeaders);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      const requested = request.headers['access-control-request-headers'];
      // Authorization must be named: a wildcard in Access-Control-Allow-Headers does not cover it.
      const allowHeaders = fixedHeaders ?? (typeof requested === 'string' ? requested : '');
      void reply.status(204).header('access-control-allow-methods', allowMethods).header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
      if (allowHeaders) reply.header('access-control-allow-headers', allowHeaders);
      void reply.send();
      return;
    }
    done();
  });
}
