import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Replies for requests no protocol claims (unknown paths, malformed URLs): short JSON without
 * Fastify's internals, so nothing but a protocol's own error shape or this ever leaves the region.
 * Protocol plugins install their own handlers (AWS JSON envelopes, RFC 6749 errors) in their scope.
 */
/** What every request the region cannot read is answered with. */
const UNREADABLE = { error: 'invalid_request', message: 'The request could not be read.' } as const;

export function registerFallbackReplies(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `No resource at ${request.method} ${request.url.split('?', 1)[0]}` });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    reply.status(status).send(status === 500 ? { error: 'server_error', message: 'Internal error.' } : UNREADABLE);
  });
}

/**
 * Fastify's `frameworkErrors`: what it refuses before any route runs (a URL that does not decode,
 * `/oauth2/token%zz`), answered like the fallback's other client errors instead of Fastify's own
 * body, which names its error codes and repeats the path.
 */
export function answerFrameworkError(_error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send(UNREADABLE);
}

/**
 * Fastify's `clientErrorHandler` (bound to the instance): a request Node's HTTP parser refuses
 * (a malformed header line, headers too large, a timeout) gets the same short JSON as the other
 * fallbacks, logged at trace level as Fastify does (through the `err` serializer, which drops the
 * request's bytes).
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  this.log.trace({ err: error }, 'client error');
  const body = JSON.stringify(UNREADABLE);
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
}
