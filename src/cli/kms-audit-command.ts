import { Command } from 'commander';
import { readAdminCredentials, type AccessKey } from './admin-credentials.ts';
import { callAwsJson } from './aws-json-call.ts';

export interface KmsAuditOptions {
  endpoint: string;
  /** Region named in the signature's credential scope. */
  region: string;
  keyId?: string;
  action?: string;
  /** ISO 8601 time or epoch seconds. */
  since?: string;
  /** Stop after this many events (default: all). */
  limit?: string;
}

/** One audit event as printed: a JSON object per line. */
export interface AuditLine {
  time: string;
  requestId: string;
  principal: string;
  action: string;
  keyId?: string;
  encryptionContext?: Record<string, string>;
  outcome: string;
}

const PAGE_SIZE = 1000;

/**
 * `meridian kms audit`: prints a Region's KMS audit log as JSON lines, oldest first, through
 * TrentService.ListAuditEvents signed with SigV4 (service `kms`) under the admin credentials from
 * MERIDIAN_ADMIN_ACCESS_KEY_ID / MERIDIAN_ADMIN_SECRET_ACCESS_KEY.
 */
export function kmsAuditCommand(): Command {
  return new Command('audit')
    .description("print the KMS audit log as JSON lines (who called what on which key, the encryption context and the outcome)")
    .requiredOption('--endpoint <url>', 'the region, e.g. http://127.0.0.1:9000')
    .option('--region <name>', "the region's name (the signature is scoped to it)", 'us-east-1')
    .option('--key-id <id>', 'only events of this key (key id or key ARN)')
    .option('--action <name>', 'only this operation, e.g. Decrypt')
    .option('--since <time>', 'only events at or after this time (ISO 8601 or epoch seconds)')
    .option('--limit <n>', 'print at most this many events')
    .action(async (options: KmsAuditOptions) => {
      try {
        for await (const line of auditLines(options)) process.stdout.write(`${JSON.stringify(line)}\n`);
      } catch (error) {
        console.error(`meridian kms audit: ${(error as Error).message}`);
        process.exitCode = 1;
      }
    });
}

export async function* auditLines(options: KmsAuditOptions, environment: NodeJS.ProcessEnv = process.env): AsyncGenerator<AuditLine> {
  const credentials = readAdminCredentials(null, environment);
  if (!credentials) throw new Error('set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY to the admin credentials');
  const limit = options.limit === undefined ? Infinity : Number(options.limit);
  if (!(limit >= 1)) throw new Error('--limit must be a positive number');
  const since = options.since === undefined ? undefined : parseSince(options.since);
  let marker: string | undefined;
  let printed = 0;
  do {
    const page = (await callKms(options, credentials, 'ListAuditEvents', {
      ...(options.keyId ? { KeyId: options.keyId } : {}),
      ...(options.action ? { Action: options.action } : {}),
      ...(since !== undefined ? { Since: since } : {}),
      Limit: Math.min(PAGE_SIZE, limit - printed),
      ...(marker ? { Marker: marker } : {}),
    })) as { Events: Array<Record<string, unknown>>; NextMarker?: string; Truncated: boolean };
    for (const event of page.Events) {
      yield {
        time: new Date(Number(event.EventTime) * 1000).toISOString(),
        requestId: String(event.RequestId),
        principal: String(event.Principal),
        action: String(event.Action),
        ...(event.KeyId !== undefined ? { keyId: String(event.KeyId) } : {}),
        ...(event.EncryptionContext !== undefined ? { encryptionContext: event.EncryptionContext as Record<string, string> } : {}),
        outcome: String(event.Outcome),
      };
      printed += 1;
    }
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker && printed < limit);
}

function parseSince(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) throw new Error(`--since ${text} is neither an ISO 8601 time nor epoch seconds`);
  return seconds;
}

function callKms(options: KmsAuditOptions, credentials: AccessKey, action: string, input: unknown): Promise<unknown> {
  return callAwsJson({ endpoint: options.endpoint, region: options.region, service: 'kms', target: `TrentService.${action}`, input, credentials });
}
