import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequest } from '../oauth-errors.ts';

/**
 * application/x-www-form-urlencoded bodies for OAuth endpoints (RFC 6749 §3.2, Appendix B).
 * `@fastify/formbody` is not a dependency; the body is kept raw by `acceptRawBodies` and parsed
 * here with URLSearchParams, so every content type reaches the handler and a wrong one is
 * answered with the protocol's own `invalid_request` instead of Fastify's 415.
 */

/** Buffers every body as is, in the encapsulated plugin it is called in. */
export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

/** Decodes strict UTF-8; stateless between calls (no `stream` option), so one serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Form parameters: at most one value each, empty values treated as absent (RFC 6749 §3.2). */
export class FormParameters {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

/**
 * Parses the form body of `request`. "Parameters sent without a value MUST be treated as if they
 * were omitted from the request ... Request and response parameters MUST NOT be included more
 * than once" (RFC 6749 §3.2): a repeated parameter is invalid_request.
 */
export function readFormBody(request: FastifyRequest): FormParameters {
  const mediaType = String(request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequest('The request body must be application/x-www-form-urlencoded.');
  }
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new InvalidRequest('The request body is not valid UTF-8.');
  }
  const collected = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) collected.set(name, [...(collected.get(name) ?? []), value]);
  const values = new Map<string, string>();
  for (const [name, list] of collected) {
    if (list.length > 1) throw new InvalidRequest(`Parameter ${name} is included more than once.`);
    if (list[0] !== '') values.set(name, list[0]!);
  }
  return new FormParameters(values);
}
