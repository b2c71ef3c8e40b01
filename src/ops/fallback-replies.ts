import type { FastifyInstance } from 'fastify';

/**
 * Replies for requests no protocol claims (unknown paths, malformed URLs): short JSON without
 * Fastify's internals, so nothing but a protocol's own error shape or this ever leaves the region.
 * Protocol plugins install their own handlers (AWS JSON envelopes, RFC 6749 errors) in their scope.
 */
export function registerFallbackReplies(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `No resource at ${request.method} ${request.url.split('?', 1)[0]}` });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    reply.status(status).send({ error: status === 500 ? 'server_error' : 'invalid_request', message: status === 500 ? 'Internal error.' : 'The request could not be read.' });
  });
}
