import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ReplicaReadOnly } from '../../crypto/encrypted-records.ts';
import { KeyUnusable } from '../../crypto/key-provider.ts';
import { PoolMissing } from '../../store/store.ts';
import { AuthorizationPageError, AuthorizationRedirectError, errorRedirectUrl } from '../authorize/authorization-errors.ts';
import { renderErrorPage, sendPage } from './html.ts';

/**
 * The error handler of every browser-facing route (authorize, hosted pages, logout): redirect
 * errors go to the validated redirect URI, everything else becomes an HTML page. Never a
 * redirect to anything the request names without validation, never a stack trace.
 */
export function handleBrowserErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AuthorizationRedirectError) return reply.status(302).header('cache-control', 'no-store').redirect(errorRedirectUrl(error), 302);
    if (error instanceof AuthorizationPageError) return sendPage(reply, error.status, renderErrorPage(error.message));
    if (error instanceof PoolMissing) return sendPage(reply, 404, renderErrorPage('No user pool has this domain.'));
    if (error instanceof ReplicaReadOnly) return sendPage(reply, 403, renderErrorPage('This is not available in this region right now: sign up, reset a password or change your account in the primary region.'));
    if (error instanceof KeyUnusable) return sendPage(reply, 503, renderErrorPage('The sign-in service is temporarily unavailable.'));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendPage(reply, 413, renderErrorPage('The form is too large.'));
    if (typeof error.statusCode === 'number' && error.statusCode < 500) return sendPage(reply, 400, renderErrorPage('The request could not be read.'));
    request.log.error({ err: error }, 'unhandled error on a hosted page');
    return sendPage(reply, 500, renderErrorPage('An internal error occurred.'));
  });
}

export function notFoundPage(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 404, renderErrorPage('No user pool has this domain.'));
}

export function methodNotAllowedPage(reply: FastifyReply, allow: readonly string[]): FastifyReply {
  reply.header('allow', allow.join(', '));
  return sendPage(reply, 405, renderErrorPage(`This page accepts only ${allow.join(' and ')}.`));
}
