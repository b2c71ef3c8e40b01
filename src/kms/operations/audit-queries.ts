import { checkLength } from '../input-checks.ts';
import { parseKeyIdentifier } from '../key-ids.ts';
import type { KmsCall, KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import { NotFoundException } from '../errors.ts';
import { decodeMarker, pageLimit, pageOf } from '../paging.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

/**
 * ListAuditEvents, Meridian's extension of the KMS API: the Region's audit log, oldest first,
 * filtered by key, operation and time. Like CloudTrail it is an account-level view, so it is
 * decided as an account operation (the account root). Keys need not exist any more: the log
 * outlives them.
 */
export async function listAuditEvents(core: KmsCore, call: KmsCall, input: Input<'listAuditEvents'>): Output<'listAuditEvents'> {
  core.authorizer.authorizeAccountOperation(call.principal, 'ListAuditEvents');
  const limit = pageLimit(input.Limit, 100, 1000);
  let keyId: string | undefined;
  if (input.KeyId !== undefined) {
    const parsed = parseKeyIdentifier(input.KeyId, core.region, core.accountId);
    if (!parsed || parsed.kind !== 'key') throw new NotFoundException(`Invalid keyId '${input.KeyId}': give a key ID or key ARN.`);
    keyId = parsed.keyId;
  }
  if (input.Action !== undefined) checkLength('action', input.Action, 1, 128);
  const rows = await core.audit.list({
    ...(keyId !== undefined ? { keyId } : {}),
    ...(input.Action !== undefined ? { action: input.Action } : {}),
    ...(input.Since !== undefined ? { since: input.Since.getTime() } : {}),
    afterSequence: decodeMarker<number>(input.Marker, 'number') ?? 0,
    limit: limit + 1,
  });
  const page = pageOf(rows, limit, (row) => row.sequence);
  return {
    Events: page.items.map((row) => ({
      EventTime: new Date(row.at),
      RequestId: row.requestId,
      Principal: row.principal,
      Action: row.action,
      ...(row.keyId !== null ? { KeyId: row.keyId } : {}),
      ...(row.encryptionContext !== null ? { EncryptionContext: row.encryptionContext } : {}),
      Outcome: row.outcome,
    })),
    Truncated: page.Truncated,
    ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}),
  };
}
