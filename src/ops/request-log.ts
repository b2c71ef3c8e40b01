import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Writes one structured line per request: id, method, path (without the query string, which can
 * hold codes and tokens), the AWS action when there is one, status and duration. Never headers or
 * bodies.
 */
export function registerRequestLog(app: FastifyInstance): void {
  // Below info (`--log-level warn`, the usual production setting) the line is never written;
  // without the hook, requests skip the call, its object and its promise altogether.
  if (!infoEnabled(app)) return;
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

/** Whether the app's logger writes info lines (pino levels: info = 30; silent is Infinity). */
function infoEnabled(app: FastifyInstance): boolean {
  const levels = (app.log as { levels?: { values?: Record<string, number> } }).levels?.values;
  const current = levels?.[app.log.level];
  return current === undefined || current <= (levels?.info ?? 30);
}

/**
 * The logger's `err` serializer: what an error says about itself (type, message, code, stack, and
 * its cause the same way), never the request it came with. Node attaches the raw bytes of a
 * request it could not parse to the error (`rawPacket`), and Fastify logs client errors at trace
 * level: with pino's own serializer those bytes, Authorization headers and form passwords
 * included, would reach the log.
 */
export function serializeError(error: Error): { [key: string]: unknown; type: string; message: string; stack: string } {
  // Anything thrown can arrive here, not only an Error.
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const code = (error as { code?: unknown }).code;
  const cause = error.cause;
  return {
    type: error.name,
    message: error.message,
    stack: error.stack ?? '',
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(cause instanceof Error ? { cause: serializeError(cause) } : {}),
  };
}
