import { randomUUID } from 'node:crypto';
import type { EncryptionContext } from '../crypto/key-provider.ts';
import type { KmsStore, StoredKeyMaterial } from '../store/kms/kms-store.ts';
import { ServiceError } from '../wire/service-error.ts';
import type { AuditLog } from './audit-log.ts';
import { DisabledException, KMSInternalException, KMSInvalidStateException, NotFoundException } from './errors.ts';
import { aliasArnOf, keyArnOf, parseKeyIdentifier } from './key-ids.ts';
import type { KeyMaterialVault } from './key-material-vault.ts';
import { attentionAt, isDeletionDue, keyFromStored, type KeyAttributes, type KmsKey } from './key-model.ts';
import type { KeyAuthorizer } from './policy/key-authorizer.ts';
import { principalName, SCHEDULER_PRINCIPAL, type KmsPrincipal } from './principal.ts';
import type { ReplicationTargets } from './replication/replication-target.ts';

/** What every KMS operation works with: the Region's identity, store, keys and clock. */
export interface KmsCore {
  region: string;
  accountId: string;
  store: KmsStore;
  materials: KeyMaterialVault;
  authorizer: KeyAuthorizer;
  audit: AuditLog;
  replicationTargets: ReplicationTargets;
  /** The clock of every key decision (deletion dates, rotation); tests drive it. */
  now(): number;
  /** Where faults that are not the caller's (store failures, unreachable peers) are logged. */
  reportFault(error: unknown, what: string): void;
}

/** One call in progress: who makes it, and what its audit event will say. */
export interface KmsCall {
  principal: KmsPrincipal;
  requestId: string;
  operation: string;
  keyId: string | null;
  encryptionContext: EncryptionContext | null;
}

export interface Caller {
  principal: KmsPrincipal;
  /** The request id of the wire request (or of the caller's own request), for the audit log. */
  requestId?: string;
}

/**
 * Runs one operation and records it in the audit log, success or failure, before answering. A
 * result is never returned whose audit event could not be written.
 */
export async function audited<T>(core: KmsCore, caller: Caller, operation: string, work: (call: KmsCall) => Promise<T>): Promise<T> {
  const call: KmsCall = { principal: caller.principal, requestId: caller.requestId ?? randomUUID(), operation, keyId: null, encryptionContext: null };
  let result: T;
  try {
    result = await work(call);
  } catch (caught) {
    // A fault that is not the caller's is logged here and answered as KMS does, without details,
    // so in-process callers see the same KMSInternalException as SDK callers.
    if (!(caught instanceof ServiceError)) core.reportFault(caught, `${operation} failed`);
    const error = caught instanceof ServiceError ? caught : new KMSInternalException('Internal error in the key service.');
    await core.audit.record(eventOf(core, call, error.type)).catch((auditError: unknown) => core.reportFault(auditError, 'audit log write failed'));
    throw error;
  }
  try {
    await core.audit.record(eventOf(core, call, 'success'));
  } catch (error) {
    core.reportFault(error, 'audit log write failed');
    throw new KMSInternalException('The request could not be recorded in the audit log; it was not answered.');
  }
  return result;
}

function eventOf(core: KmsCore, call: KmsCall, outcome: string) {
  return {
    at: core.now(),
    requestId: call.requestId,
    principal: principalName(call.principal),
    action: call.operation,
    keyId: call.keyId,
    encryptionContext: call.encryptionContext,
    outcome,
  };
}

export function arnOf(core: KmsCore, keyId: string): string {
  return keyArnOf(core.region, core.accountId, keyId);
}

/**
 * Loads a key by id. A key past its deletion date is deleted here, the first time anything touches
 * it (the periodic sweep catches the rest), and reported as absent.
 */
export async function loadKey(core: KmsCore, keyId: string): Promise<KmsKey | null> {
  const stored = await core.store.getKey(keyId);
  if (!stored) return null;
  const key = keyFromStored(stored);
  if (isDeletionDue(key.attributes, core.now())) {
    await destroyKey(core, keyId);
    return null;
  }
  return key;
}

/** Deletes a key whose waiting period is over: its material is destroyed with it. */
export async function destroyKey(core: KmsCore, keyId: string): Promise<void> {
  if (await core.store.deleteKey(keyId)) {
    core.materials.forget(keyId);
    await core.audit.record({ at: core.now(), requestId: randomUUID(), principal: principalName(SCHEDULER_PRINCIPAL), action: 'DeleteKey', keyId, encryptionContext: null, outcome: 'success' });
  }
}

/**
 * Finds the key a KeyId parameter names (key id, key ARN, and where the operation allows it, alias
 * name or alias ARN) and notes it on the call for the audit log. Throws NotFoundException.
 */
export async function requireKey(core: KmsCore, call: KmsCall, identifier: string, options: { aliases: boolean }): Promise<KmsKey> {
  const parsed = parseKeyIdentifier(identifier, core.region, core.accountId);
  if (!parsed) throw new NotFoundException(`Invalid keyId '${identifier}'`);
  let keyId: string;
  if (parsed.kind === 'alias') {
    if (!options.aliases) throw new NotFoundException(`Key '${identifier}' does not exist: ${call.operation} takes a key ID or key ARN, not an alias.`);
    const alias = await core.store.getAlias(parsed.aliasName);
    if (!alias) throw new NotFoundException(`Alias ${aliasArnOf(core.region, core.accountId, parsed.aliasName)} is not found.`);
    keyId = alias.keyId;
  } else {
    keyId = parsed.keyId;
  }
  call.keyId = keyId;
  const key = await loadKey(core, keyId);
  if (!key) throw new NotFoundException(`Key '${arnOf(core, keyId)}' does not exist`);
  return key;
}

/** Cryptographic operations need an Enabled key (KMS key state table). */
export function requireEnabled(core: KmsCore, key: KmsKey): void {
  const { state } = key.attributes;
  if (state === 'Disabled') throw new DisabledException(`${arnOf(core, key.keyId)} is disabled.`);
  if (state === 'PendingDeletion') throw new KMSInvalidStateException(`${arnOf(core, key.keyId)} is pending deletion.`);
}

/** Management operations refused while a key waits for deletion. */
export function requireNotPendingDeletion(core: KmsCore, key: KmsKey): void {
  if (key.attributes.state === 'PendingDeletion') throw new KMSInvalidStateException(`${arnOf(core, key.keyId)} is pending deletion.`);
}

export interface KeyUpdate {
  attributes: KeyAttributes;
  policy?: string;
  newMaterials?: StoredKeyMaterial[];
}

const UPDATE_ATTEMPTS = 10;

/**
 * Read-modify-write of one key, compare-and-set on its revision: `change` sees the current key
 * (and may throw, e.g. for a state the change does not allow) and is run again if another writer
 * got in between.
 */
export async function updateKey(core: KmsCore, keyId: string, change: (key: KmsKey) => KeyUpdate): Promise<KmsKey> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
    const key = await loadKey(core, keyId);
    if (!key) throw new NotFoundException(`Key '${arnOf(core, keyId)}' does not exist`);
    const next = change(structuredClone(key));
    const policy = next.policy ?? key.policy;
    const written = await core.store.updateKey(
      keyId,
      key.revision,
      { attributes: JSON.stringify(next.attributes), policy, attentionAt: attentionAt(next.attributes) },
      next.newMaterials ?? [],
    );
    if (written) return { keyId, attributes: next.attributes, policy, revision: key.revision + 1 };
  }
  throw new KMSInternalException('The key was changed by too many concurrent requests; retry.');
}

/** The plaintext material of one version (cached in memory after the first unwrap). */
export async function materialOf(core: KmsCore, keyId: string, version: number): Promise<Buffer | null> {
  const cached = core.materials.cached(keyId, version);
  if (cached) return cached;
  const stored = await core.store.getMaterial(keyId, version);
  return stored ? core.materials.unwrap(stored) : null;
}
