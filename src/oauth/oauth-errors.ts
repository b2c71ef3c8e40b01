import type { FastifyReply } from 'fastify';
import { declareError, ServiceError } from '../wire/service-error.ts';

/**
 * The OAuth 2.0 token endpoint's errors (RFC 6749 §5.2), one class per `error` code, the code as
 * the wire type. Callers throw them; `sendOAuthError` is the one place they become
 * `{"error", "error_description"}` with their status. 400 unless RFC 6749 says otherwise.
 */
export const InvalidRequest = declareError('invalid_request', 400);
/**
 * Client authentication failed. RFC 6749 §5.2 allows 401 and requires it, with
 * `WWW-Authenticate`, when the client tried the Authorization header; 401 is used throughout so a
 * client sees one status for one failure whatever method it chose.
 */
export const InvalidClient = declareError('invalid_client', 401);
export const InvalidGrant = declareError('invalid_grant', 400);
export const UnauthorizedClient = declareError('unauthorized_client', 400);
export const UnsupportedGrantType = declareError('unsupported_grant_type', 400);
export const InvalidScope = declareError('invalid_scope', 400);
/** RFC 7009 §2.2.1 (the revocation endpoint): the server does not revoke this type of token. */
export const UnsupportedTokenType = declareError('unsupported_token_type', 400);

/**
 * Not RFC 6749 §5.2 codes, but the same envelope: an OAuth path of a domain that does not exist,
 * a method other than the endpoint's (RFC 9110 §15.5.6), a request body over the size limit, and
 * the server's own faults (`server_error` and `temporarily_unavailable` are RFC 6749 §4.1.2.1's
 * words for them).
 */
export const NotFound = declareError('not_found', 404);
export const MethodNotAllowed = declareError('invalid_request', 405);
export const RequestTooLarge = declareError('invalid_request', 413);
export const ServerError = declareError('server_error', 500);
export const TemporarilyUnavailable = declareError('temporarily_unavailable', 503);

export interface OAuthErrorContext {
  /** The client tried HTTP Basic authentication: answer a 401 with the challenge (RFC 6749 §5.2). */
  basicAttempted?: boolean;
  /** Methods the endpoint accepts, for the Allow header of a 405. */
  allow?: readonly string[];
}

/** Writes an OAuth error; token responses and their errors are never cached (RFC 6749 §5.1). */
export function sendOAuthError(reply: FastifyReply, error: ServiceError, context: OAuthErrorContext = {}): FastifyReply {
  if (error.statusCode === 401 && context.basicAttempted) reply.header('www-authenticate', 'Basic realm="oauth2", charset="UTF-8"');
  if (error.statusCode === 405 && context.allow) reply.header('allow', context.allow.join(', '));
  return reply
    .status(error.statusCode)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: error.type, error_description: describable(error.message) }));
}

const OAUTH_ERROR_TYPES: ReadonlySet<string> = new Set(
  [InvalidRequest, InvalidClient, InvalidGrant, UnauthorizedClient, UnsupportedGrantType, InvalidScope, UnsupportedTokenType, NotFound, ServerError, TemporarilyUnavailable].map(
    (ErrorClass) => new ErrorClass('').type,
  ),
);

/**
 * Whether an error belongs to this family and can go to the wire as it is. Other ServiceErrors
 * (a Cognito exception raised by shared domain code) are not OAuth answers and must be mapped.
 */
export function isOAuthError(error: unknown): error is ServiceError {
  return error instanceof ServiceError && OAUTH_ERROR_TYPES.has(error.type);
}

/** error_description allows only %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2): no quotes, backslashes or controls. */
function describable(message: string): string {
  return message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
}
