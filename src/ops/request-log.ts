import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Writes one structured line per request: id, method, path (without the query string, which can
 * hold codes and tokens), the AWS action when there is one, status and duration. Never headers or
 * bodies.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?', 1)[0],
        action: (request as FastifyRequest & { actionName?: string }).actionName,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
}
