import type { FastifyInstance } from 'fastify';

/** How long a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Lets browser apps on any origin call the endpoints of `scope` with fetch, as Cognito lets them
 * call its token endpoint ("returns an Access-Control-Allow-Origin: * response header ... you can
 * complete an authorization code grant with PKCE from a public client"; no custom origin policy):
 * every answer, errors included, carries `Access-Control-Allow-Origin: *`, and a CORS preflight
 * (OPTIONS with Access-Control-Request-Method) is answered 204 before the route runs.
 *
 * Why `*` is safe here: these endpoints authenticate by what the caller sends (a client secret,
 * a code and its PKCE verifier, a bearer token), never by the hosted pages' session cookie, and a
 * `*` answer is never readable by a request that carries cookies. Only for the token, revocation
 * and userInfo endpoints, discovery and JWKS; never for the hosted pages, /oauth2/authorize or
 * /logout, which browsers navigate to and which do rely on the cookie.
 */
export function allowCrossOrigin(scope: FastifyInstance, methods: readonly string[]): void {
  const allowMethods = methods.join(', ');
  scope.addHook('onRequest', (request, reply, done) => {
    reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      // Authorization must be named: a wildcard in Access-Control-Allow-Headers does not cover it.
      void reply
        .status(204)
        .header('access-control-allow-methods', allowMethods)
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .send();
      return;
    }
    done();
  });
}
