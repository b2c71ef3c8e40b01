import type { KmsStore } from '../store/kms/kms-store.ts';
import { AuditLog } from './audit-log.ts';
import { KeyMaterialVault } from './key-material-vault.ts';
import { isDeletionDue, keyFromStored } from './key-model.ts';
import type { KmsClient } from './kms-client.ts';
import { audited, destroyKey, type Caller, type KmsCall, type KmsCore } from './kms-core.ts';
import { createAlias, deleteAlias, listAliases, updateAlias } from './operations/aliases.ts';
import { listAuditEvents } from './operations/audit-queries.ts';
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, reEncrypt } from './operations/cryptography.ts';
import {
  cancelKeyDeletion,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  listResourceTags,
  scheduleKeyDeletion,
  tagResource,
  untagResource,
  updateKeyDescription,
} from './operations/key-lifecycle.ts';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './operations/key-policies.ts';
import { acceptReplica, peerPrincipalArn, replicateKey, syncReplicas } from './operations/replication.ts';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, isAutomaticRotationDue, listKeyRotations, rotateKey, rotateKeyOnDemand } from './operations/rotation.ts';
import { KeyAuthorizer } from './policy/key-authorizer.ts';
import { SCHEDULER_PRINCIPAL, type KmsPrincipal } from './principal.ts';
import type { ReplicaPayload, ReplicaReceipt, ReplicationTargets } from './replication/replication-target.ts';

export interface KeyServiceOptions {
  region: string;
  accountId: string;
  store: KmsStore;
  rootKey: Buffer;
  now?: () => number;
  /** How to reach other Regions' KMS for ReplicateKey; none by default. */
  replicationTargets?: ReplicationTargets;
  /** Logs faults that are not the caller's; silent by default. */
  reportFault?: (error: unknown, what: string) => void;
}

/** Keys the scheduler handles per pass; the next pass takes the rest. */
const SWEEP_BATCH = 100;

/**
 * The built-in KMS of one Region: keys, policies, aliases, rotation, replication and the audit log.
 * Everything goes through a principal-bound client (`asPrincipal`), so in-process callers are
 * authorized and audited exactly like SDK callers over the wire.
 */
export class KeyService {
  readonly core: KmsCore;

  constructor(options: KeyServiceOptions) {
    this.core = {
      region: options.region,
      accountId: options.accountId,
      store: options.store,
      materials: new KeyMaterialVault(options.rootKey),
      authorizer: new KeyAuthorizer(options.accountId),
      audit: new AuditLog(options.store),
      replicationTargets: options.replicationTargets ?? (() => null),
      now: options.now ?? Date.now,
      reportFault: options.reportFault ?? (() => undefined),
    };
  }

  /**
   * A client acting as `principal`. `requestId` names the request in the audit log (the wire
   * request's id); without it every call gets its own.
   */
  asPrincipal(principal: KmsPrincipal, options: { requestId?: string } = {}): KmsClient {
    const caller: Caller = { principal, ...(options.requestId !== undefined ? { requestId: options.requestId } : {}) };
    const core = this.core;
    const run =
      <I, O>(operation: string, work: (core: KmsCore, call: KmsCall, input: I) => Promise<O>) =>
      (input: I): Promise<O> =>
        audited(core, caller, operation, (call) => work(core, call, input));
    return {
      createKey: run('CreateKey', createKey),
      describeKey: run('DescribeKey', describeKey),
      listKeys: run('ListKeys', listKeys),
      updateKeyDescription: run('UpdateKeyDescription', updateKeyDescription),
      enableKey: run('EnableKey', enableKey),
      disableKey: run('DisableKey', disableKey),
      scheduleKeyDeletion: run('ScheduleKeyDeletion', scheduleKeyDeletion),
      cancelKeyDeletion: run('CancelKeyDeletion', cancelKeyDeletion),
      tagResource: run('TagResource', tagResource),
      untagResource: run('UntagResource', untagResource),
      listResourceTags: run('ListResourceTags', listResourceTags),
      createAlias: run('CreateAlias', createAlias),
      updateAlias: run('UpdateAlias', updateAlias),
      deleteAlias: run('DeleteAlias', deleteAlias),
      listAliases: run('ListAliases', listAliases),
      getKeyPolicy: run('GetKeyPolicy', getKeyPolicy),
      putKeyPolicy: run('PutKeyPolicy', putKeyPolicy),
      listKeyPolicies: run('ListKeyPolicies', listKeyPolicies),
      encrypt: run('Encrypt', encrypt),
      decrypt: run('Decrypt', decrypt),
      generateDataKey: run('GenerateDataKey', generateDataKey),
      generateDataKeyWithoutPlaintext: run('GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext),
      reEncrypt: run('ReEncrypt', reEncrypt),
      enableKeyRotation: run('EnableKeyRotation', enableKeyRotation),
      disableKeyRotation: run('DisableKeyRotation', disableKeyRotation),
      getKeyRotationStatus: run('GetKeyRotationStatus', getKeyRotationStatus),
      rotateKeyOnDemand: run('RotateKeyOnDemand', rotateKeyOnDemand),
      listKeyRotations: run('ListKeyRotations', listKeyRotations),
      replicateKey: run('ReplicateKey', replicateKey),
      listAuditEvents: run('ListAuditEvents', listAuditEvents),
    };
  }

  /** Stores (or updates) a replica sent by `sourceRegion`, already authenticated by the transport. */
  acceptReplica(sourceRegion: string, payload: ReplicaPayload, requestId?: string): Promise<ReplicaReceipt> {
    const caller: Caller = { principal: { arn: peerPrincipalArn(this.core.accountId, sourceRegion) }, ...(requestId !== undefined ? { requestId } : {}) };
    return audited(this.core, caller, payload.kind === 'create' ? 'ImportReplicaKey' : 'SyncReplicaKey', (call) => acceptReplica(this.core, call, sourceRegion, payload));
  }

  /**
   * The scheduler's pass: deletes keys past their deletion date, rotates keys due for automatic
   * rotation, and offers unacknowledged shared state to replicas again. Run periodically by the
   * Region and directly by tests with their own clock.
   */
  async sweep(): Promise<void> {
    const core = this.core;
    const now = core.now();
    for (const stored of await core.store.keysDueBy(now, SWEEP_BATCH)) {
      const { keyId, attributes } = keyFromStored(stored);
      try {
        if (isDeletionDue(attributes, now)) {
          await destroyKey(core, keyId);
          continue;
        }
        if (isAutomaticRotationDue(attributes, now)) {
          await audited(core, { principal: SCHEDULER_PRINCIPAL }, 'RotateKey', async (call) => {
            call.keyId = keyId;
            await rotateKey(core, keyId, 'AUTOMATIC');
          });
        }
        if (attributes.unsyncedRegions.length > 0) await syncReplicas(core, keyId);
      } catch (error) {
        // One key's trouble must not stop the others; it stays due and is tried again next pass.
        core.reportFault(error, `scheduled work on key ${keyId} failed`);
      }
    }
  }

  /** Resolves when every audit event recorded so far is written. */
  flushAudit(): Promise<void> {
    return this.core.audit.flushed();
  }
}
