import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * Fastify's `frameworkErrors`: what it refuses before any route runs (a URL that does not decode,
 * `/oauth2/token%zz`), answered like the fallback's other client errors instead of Fastify's own
 * body, which names its error codes and repeats the path.
 */
export function answerFrameworkError(_error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({ error: 'invalid_request', message: 'The request could not be read.' });
}
