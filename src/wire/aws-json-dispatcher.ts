import { allowCrossOrigin } from './cross-origin.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RequestEntityTooLargeException, SerializationException, UnknownOperationException } from './aws-errors.ts';
import type { AwsJsonAction, RequestContext } from './aws-json-action.ts';
import { ServiceError } from './service-error.ts';
import { signedQueryOf, verifySignature, type CredentialLookup } from './sigv4-verifier.ts';

/** One AWS JSON 1.1 service (Cognito user pools, KMS) served on the shared `POST /` route. */
export interface AwsJsonService<Services> {
  /** The part of X-Amz-Target before the dot, e.g. `AWSCognitoIdentityProviderService`. */
  targetPrefix: string;
  /** SigV4 signing name, e.g. `cognito-idp`. */
  signingName: string;
  actions: ReadonlyMap<string, AwsJsonAction<Services>>;
  services: Services;
  /** The service's own error for input that fails its schema. */
  validationError(message: string): ServiceError;
  /** Maps domain errors (not already ServiceErrors) to wire errors; null when unknown. */
  translateError(error: unknown): ServiceError | null;
  internalError(): ServiceError;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Registers `POST /` for AWS JSON 1.1 services, dispatching on X-Amz-Target. Everything that goes
 * wrong, from framing to a bug, leaves as `{"__type", "message"}` with a 4xx (or, for a bug, 500)
 * status: this is the one place wire errors are shaped for these protocols.
 */
export function registerAwsJsonProtocol(app: FastifyInstance, services: ReadonlyArray<AwsJsonService<any>>, credentials: CredentialLookup, options: { region?: string } = {}): void {
  const byPrefix = new Map(services.map((service) => [service.targetPrefix, service]));

  app.register(async (scope) => {
    // The raw bytes are needed for SigV4 (the payload hash) and to answer malformed JSON ourselves.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const service = serviceFor(request, byPrefix);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new RequestEntityTooLargeException('Request body is too large.'));
      if (error instanceof ServiceError) return sendError(reply, error);
      if (typeof error.statusCode === 'number' && error.statusCode < 500) {
        return sendError(reply, new SerializationException('The request could not be read.'));
      }
      request.log.error({ err: error }, 'unhandled error in AWS JSON dispatcher');
      return sendError(reply, service?.internalError() ?? new SerializationException('Internal error.'));
    });

    // Browser apps (Amplify, amazon-cognito-identity-js, the SDK in a page) call the API cross-origin.
    allowCrossOrigin(scope, { methods: ['POST'], allowHeaders: 'requested', exposeHeaders: ['x-amzn-requestid', 'x-amzn-errortype', 'x-amzn-errormessage', 'date'] });
    // Reached only by an OPTIONS that is no CORS preflight (the hook answers those).
    scope.options('/', async (_request, reply) => reply.status(204).header('allow', 'POST').send());

    scope.post('/', async (request, reply) => {
      const target = headerText(request.headers['x-amz-target']);
      const dot = target.lastIndexOf('.');
      const service = byPrefix.get(target.slice(0, dot));
      const action = service?.actions.get(target.slice(dot + 1));
      if (!service || !action) throw new UnknownOperationException(target ? `Unknown operation ${target}.` : 'Missing X-Amz-Target header.');
      reply.header('x-amzn-requestid', request.id);
      (request as FastifyRequest & { actionName?: string }).actionName = target;

      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const context: RequestContext = {
        requestId: String(request.id),
        principal: null,
        sourceIp: request.ip,
        userAgent: headerText(request.headers['user-agent']),
      };
      if (action.authorization === 'iam') {
        const [path, query = ''] = request.url.split('?', 2) as [string, string?];
        context.principal = await verifySignature(
          { method: request.method, path, query: signedQueryOf(query), headers: request.headers, body },
          credentials,
          service.signingName,
          { region: options.region },
        );
      }

      const input = parseInput(body, action.input, service);
      try {
        const output = await action.handle(input, service.services, context);
        return reply.status(200).type(JSON_CONTENT_TYPE).send(JSON.stringify(output ?? {}));
      } catch (error) {
        if (error instanceof ServiceError) throw error;
        const translated = service.translateError(error);
        if (!translated) throw error;
        // A domain fault the service answers as a server error is still ours: log its cause here,
        // since the error handler does not log the ServiceError it becomes.
        if (translated.statusCode >= 500) request.log.error({ err: error }, `server fault in ${target}`);
        throw translated;
      }
    });
  });
}

export function newRequestId(): string {
  return randomUUID();
}

function parseInput(body: Buffer, schema: z.ZodType, service: AwsJsonService<unknown>): unknown {
  let raw: unknown = {};
  if (body.length > 0) {
    const text = body.toString('utf8');
    try {
      raw = JSON.parse(text);
    } catch {
      throw new SerializationException('Start of structure or map found where not expected: the body is not valid JSON.');
    }
    // The substring test spares the walk for nearly every request (no JSON null in it).
    if (text.includes('null')) dropNullMembers(raw);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `Value at '${issue.path.join('.') || 'input'}' failed to satisfy constraint: ${issue.message}`);
  throw service.validationError(`${parsed.error.issues.length} validation error${parsed.error.issues.length === 1 ? '' : 's'} detected: ${issues.join('; ')}`);
}

/**
 * In AWS JSON a member set to null is a member not set (what the services do): clients send it,
 * amazon-cognito-identity-js for example `"ValidationData": null` on every SignUp whose caller
 * passed none. Members are dropped at every depth, in place (the value was just parsed); a null
 * inside a list stays, and is refused. A loop, not recursion: a body may nest deeper than the stack.
 */
function dropNullMembers(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    for (const [name, member] of Object.entries(value)) {
      if (member === null) delete (value as Record<string, unknown>)[name];
      else if (typeof member === 'object') pending.push(member);
    }
  }
}

function serviceFor(request: FastifyRequest, byPrefix: ReadonlyMap<string, AwsJsonService<unknown>>): AwsJsonService<unknown> | undefined {
  const target = headerText(request.headers['x-amz-target']);
  return byPrefix.get(target.slice(0, target.lastIndexOf('.')));
}

function sendError(reply: FastifyReply, error: ServiceError): FastifyReply {
  return reply
    .status(error.statusCode)
    .header('x-amzn-errortype', error.type)
    .type(JSON_CONTENT_TYPE)
    .send(JSON.stringify({ __type: error.type, message: error.message }));
}

function headerText(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
