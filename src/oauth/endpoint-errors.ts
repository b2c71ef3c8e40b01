import type { FastifyInstance } from 'fastify';
import { SigningKeysMissing } from '../auth/tokens/signing-keys.ts';
import { KeyUnusable } from '../crypto/key-provider.ts';
import { PoolMissing } from '../store/store.ts';
import { triesBasicAuthentication } from './client-authentication.ts';
import { InvalidRequest, isOAuthError, NotFound, RequestTooLarge, sendOAuthError, ServerError, TemporarilyUnavailable } from './oauth-errors.ts';

/**
 * The error handler of the JSON endpoints that authenticate clients (`/oauth2/token`,
 * `/oauth2/revoke`): every failure leaves as an RFC 6749 §5.2 error through `sendOAuthError`,
 * with the Basic challenge when the client tried Basic and the Allow header on a 405. Domain
 * errors get their OAuth meaning here; a fault of our own is logged and answered `server_error`
 * without details.
 */
export function answerOAuthEndpointErrors(scope: FastifyInstance, endpoint: { name: string; allow: readonly string[] }): void {
  scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const authorization = request.headers.authorization;
    const context = { basicAttempted: triesBasicAuthentication(Array.isArray(authorization) ? authorization[0] : authorization), allow: endpoint.allow };
    if (isOAuthError(error)) return sendOAuthError(reply, error, context);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendOAuthError(reply, new RequestTooLarge('The request body is too large.'), context);
    if (error instanceof PoolMissing) return sendOAuthError(reply, new NotFound('No user pool has this domain.'), context);
    if (error instanceof KeyUnusable) return sendOAuthError(reply, new TemporarilyUnavailable("The user pool's key is unusable."), context);
    if (error instanceof SigningKeysMissing) {
      // An unexpected condition of ours (RFC 6749 §4.1.2.1 server_error), not a passing one.
      request.log.error({ err: error }, `no signing keys at the ${endpoint.name}`);
      return sendOAuthError(reply, new ServerError('The user pool has no usable signing keys.'), context);
    }
    // Framing errors Fastify raises itself (bad content type, aborted body) are the client's.
    if (typeof error.statusCode === 'number' && error.statusCode < 500) return sendOAuthError(reply, new InvalidRequest('The request could not be read.'), context);
    request.log.error({ err: error }, `unhandled error at the ${endpoint.name}`);
    return sendOAuthError(reply, new ServerError('Internal error.'), context);
  });
}
