import { z } from 'zod';
import { defineAction, type AwsJsonAction, type RequestContext } from '../../wire/aws-json-action.ts';
import { AccessDeniedException, UnsupportedOperationException } from '../errors.ts';
import type { KeyService } from '../key-service.ts';
import type { KmsClient } from '../kms-client.ts';

/**
 * The KMS wire format (AWS JSON 1.1, service model 2014-11-01): blobs travel as base64 strings,
 * timestamps as epoch seconds. Schemas here check types only; the value constraints (lengths,
 * ranges, enums) are checked by the domain, so in-process callers get the same errors.
 */
export interface KmsServices {
  keys: KeyService;
}

export type KmsAction = AwsJsonAction<KmsServices>;

export const blob = z.base64().transform((text) => Buffer.from(text, 'base64'));
export const encryptionContext = z.record(z.string(), z.string());
export const tags = z.array(z.object({ TagKey: z.string(), TagValue: z.string() }));
export const keyId = z.string();
export const limit = z.number().int();
export const marker = z.string();
/** Epoch seconds (what the SDK sends for a Date) to a Date. */
export const timestamp = z.number().transform((seconds) => new Date(seconds * 1000));

/** Parameters of features Meridian's KMS does not have: refused, never silently ignored. */
export const unsupportedParameters = {
  DryRun: z.boolean().optional(),
  Recipient: z.unknown().optional(),
};

function refuseUnsupported(input: { DryRun?: boolean | undefined; Recipient?: unknown }): void {
  if (input.DryRun === true) throw new UnsupportedOperationException("DryRun is not supported by Meridian's KMS.");
  if (input.Recipient !== undefined) throw new UnsupportedOperationException("Recipient (Nitro Enclaves attestation) is not supported by Meridian's KMS.");
}

/** Every KMS action is SigV4-authorized; the signer acts as its IAM principal (the admin: account root). */
function clientFor(services: KmsServices, context: RequestContext): KmsClient {
  if (!context.principal) throw new AccessDeniedException('The request was not signed.');
  return services.keys.asPrincipal({ arn: context.principal.arn }, { requestId: context.requestId });
}

/** Declares a KMS action that forwards its parsed input to the principal's client. */
export function kmsAction<Schema extends z.ZodObject>(name: string, input: Schema, call: (client: KmsClient, input: z.infer<Schema>) => Promise<unknown>): KmsAction {
  return defineAction({
    name,
    authorization: 'iam',
    input,
    async handle(parsed, services: KmsServices, context) {
      refuseUnsupported(parsed as { DryRun?: boolean; Recipient?: unknown });
      return toWire(await call(clientFor(services, context), parsed));
    },
  });
}

/** Domain output to the wire: Buffers to base64, Dates to epoch seconds, undefined dropped. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) if (field !== undefined) result[name] = toWire(field);
    return result;
  }
  return value;
}
