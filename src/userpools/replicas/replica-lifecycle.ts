import { KeyUnusable } from '../../crypto/key-provider.ts';
import { pickRegionSettings, readSecondarySettings, settingFingerprints, writeSecondarySettings, type PerRegionSettings } from '../../regions/per-region-settings.ts';
import { failoverChecklist, type ChecklistRegion, type FailoverChecklist } from '../../regions/failover-checklist.ts';
import { PeerRequestFailed, type PeerRegions } from '../../replication/peer-client.ts';
import { poolDigest } from '../../replication/pool-digest.ts';
import type { RegionSettingsFingerprints, ReplicaControl, ReplicaView, ReplicationProgressView, ShippedValue } from '../../replication/replica-control-routes.ts';
import { primaryRegionOf, type ReplicaPullers } from '../../replication/replica-pullers.ts';
import { mergeShipment, type OpenedShippedValue, type ShippedKind } from '../../replication/shipped-kinds.ts';
import type { Store } from '../../store/store.ts';
import { ServiceError } from '../../wire/service-error.ts';
import { FeatureUnavailableInTierException, InternalErrorException, InvalidParameterException, OperationNotEnabledException, ResourceNotFoundException } from '../errors.ts';
import { readPool, withPool } from '../pools/pool-directory.ts';
import { userPoolArn } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';

/** On a secondary: what was decided there about its replica (CREATING is read from the copy). */
interface SecondaryState {
  status: 'INACTIVE' | 'ACTIVE' | 'DELETING';
}

/** On the primary: the regions it has replicas in, with the status last seen. */
interface ReplicaRegistry {
  regions: Record<string, { status: ReplicaView['Status']; createdAt: number }>;
}

const STATE_KIND = 'replica-state';
const STATE_ID = 'self';
const REGISTRY_KIND = 'replica-registry';
const REGISTRY_ID = 'regions';
/** Asking another region for its view must not hold a listing up for long. */
const VIEW_TIMEOUT_MS = 3_000;

export interface ReplicationParts {
  store: Store;
  peers: PeerRegions;
  pullers: ReplicaPullers;
  /** What secondaries ship here and how it merges (receiveShipment). */
  shippedKinds: readonly ShippedKind[];
}

/**
 * The replica lifecycle of Cognito's multi-Region user pools (CreateUserPoolReplica and friends),
 * on both sides: the primary checks the prerequisites and asks the target region to start
 * replicating (POST replica); the target checks it can use its replica of the multi-Region key,
 * copies the first snapshot page, and keeps a ReplicaPuller running. Each region is the authority
 * on its own replica's status (CREATING while the copy runs, then INACTIVE until activated); the
 * primary keeps a registry of its replicas and asks them for their status when listing.
 */
export class ReplicaLifecycle implements ReplicaControl {
  constructor(private readonly services: UserPoolServices, private readonly parts: ReplicationParts) {}

  // ---- Cognito actions -------------------------------------------------------------------

  async createReplica(poolId: string, regionName: string, tags: Record<string, string> | undefined): Promise<ReplicaView> {
    await this.requirePrimary(poolId, 'CreateUserPoolReplica');
    this.requireOtherRegion(regionName);
    const pool = await readPool(this.services, poolId);
    const tier = pool.settings.UserPoolTier ?? 'ESSENTIALS';
    if (tier !== 'ESSENTIALS' && tier !== 'PLUS') {
      throw new FeatureUnavailableInTierException(`User pool replication needs the ESSENTIALS or PLUS feature plan; user pool ${poolId} is on ${tier}. Change UserPoolTier with UpdateUserPool first.`);
    }
    const key = pool.settings.KeyConfiguration;
    if (key?.KeyType !== 'CUSTOMER_MANAGED_KEY' || !key.KmsKeyArn) {
      throw new InvalidParameterException(`User pool replication needs a customer-managed multi-Region KMS key: set KeyConfiguration {KeyType: CUSTOMER_MANAGED_KEY, KmsKeyArn} on user pool ${poolId} first.`);
    }
    const keyReference = await this.services.vault.keyReferenceOf(poolId);
    if (!/(^|[:/])mrk-[0-9a-f]{32}$/.test(keyReference)) {
      throw new InvalidParameterException(`The KMS key ${keyReference} of user pool ${poolId} is not a multi-Region key: replication needs one (CreateKey with MultiRegion true, then ReplicateKey to ${regionName}).`);
    }
    if (pool.settings.IssuerConfiguration?.Type !== 'UPDATED') {
      throw new InvalidParameterException(`User pool replication needs IssuerConfiguration {Type: UPDATED}, so tokens carry the global issuer every region accepts; user pool ${poolId} uses ORIGINAL.`);
    }
    const registry = await this.registryOf(poolId);
    if (registry.regions[regionName]) throw new InvalidParameterException(`User pool ${poolId} already has a replica in ${regionName}.`);

    const view = await this.ask<ReplicaView>(regionName, 'POST', poolId, 'replica', { keyReference, ...(tags ? { tags } : {}) });
    await this.recordReplica(poolId, regionName, view.Status);
    return view;
  }

  async listReplicas(poolId: string): Promise<ReplicaView[]> {
    const self = await this.describeReplica(poolId);
    if (self.Role === 'PRIMARY') {
      const known = Object.entries((await this.registryOf(poolId)).regions).sort(([a], [b]) => a.localeCompare(b));
      // Every region asked at once: one slow or unreachable region costs one timeout, not one each.
      const views = await Promise.all(
        known.map(async ([region, entry]): Promise<ReplicaView> => {
          try {
            const view = await this.ask<ReplicaView>(region, 'GET', poolId, 'replica', undefined, VIEW_TIMEOUT_MS);
            if (view.Status !== entry.status) await this.recordReplica(poolId, region, view.Status, { onlyIfPresent: true });
            return view;
          } catch (error) {
            // ask() turns every failed peer call into a ServiceError.
            if (!(error instanceof ServiceError)) throw error;
            return { RegionName: region, UserPoolArn: this.arnIn(region, poolId), Role: 'SECONDARY', Status: entry.status, Reachable: false };
          }
        }),
      );
      return [self, ...views];
    }
    // A secondary answers from its primary's registry when it can, with its own fresh view.
    const primary = primaryRegionOf(poolId);
    try {
      const listed = await this.ask<{ UserPoolReplicas: ReplicaView[] }>(primary, 'GET', poolId, 'replicas', undefined, VIEW_TIMEOUT_MS);
      return listed.UserPoolReplicas.map((view) => (view.RegionName === this.services.region ? self : view));
    } catch (error) {
      // ask() turns every failed peer call into a ServiceError.
      if (!(error instanceof ServiceError)) throw error;
      return [{ RegionName: primary, UserPoolArn: this.arnIn(primary, poolId), Role: 'PRIMARY', Status: 'ACTIVE', Reachable: false }, self];
    }
  }

  /** UpdateUserPoolReplica from either region: the replica's own region decides. */
  async updateReplica(poolId: string, regionName: string, status: 'ACTIVE' | 'INACTIVE'): Promise<ReplicaView> {
    if (regionName === this.services.region) return this.setReplicaStatus(poolId, status);
    const role = await withPool(poolId, () => this.services.vault.roleOf(poolId));
    this.requireOtherRegion(regionName);
    const view = await this.ask<ReplicaView>(regionName, 'PUT', poolId, 'replica', { Status: status });
    if (role === 'primary') await this.recordReplica(poolId, regionName, view.Status, { onlyIfPresent: true });
    return view;
  }

  /** DeleteUserPoolReplica: primary only, INACTIVE replicas only; removes the data there. */
  async deleteReplicaFromPrimary(poolId: string, regionName: string): Promise<void> {
    await this.requirePrimary(poolId, 'DeleteUserPoolReplica');
    if (regionName === this.services.region) throw new InvalidParameterException(`${regionName} is the primary region of user pool ${poolId}; delete the user pool itself with DeleteUserPool.`);
    if (!(await this.registryOf(poolId)).regions[regionName]) throw new ResourceNotFoundException(`User pool ${poolId} has no replica in ${regionName}.`);
    try {
      await this.ask(regionName, 'DELETE', poolId, 'replica');
    } catch (error) {
      // Already gone there (deleted before this registry was updated): finish the job here.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await this.services.vault.updateLocal<ReplicaRegistry, void>(poolId, REGISTRY_KIND, REGISTRY_ID, (registry) => {
      const regions = { ...registry?.regions };
      delete regions[regionName];
      return { value: { regions }, result: undefined };
    });
  }

  /** The regions of a pool that has replicas (the primary's view), for DeleteUserPool's check. */
  async replicaRegions(poolId: string): Promise<string[]> {
    if ((await this.services.vault.roleOf(poolId)) !== 'primary') return [];
    return Object.keys((await this.registryOf(poolId)).regions);
  }

  // ---- This region's side (also the inter-region control endpoints) -------------------------

  async startReplica(poolId: string, caller: string, request: { keyReference: string; tags?: Record<string, string> }): Promise<ReplicaView> {
    if (caller !== primaryRegionOf(poolId)) throw new InvalidParameterException(`Only ${primaryRegionOf(poolId)}, the primary region of user pool ${poolId}, can start a replica of it.`);
    const { store, pullers } = this.parts;
    const existing = await store.getPool(poolId);
    if (existing) {
      if ((await this.services.vault.roleOf(poolId)) !== 'replica') throw new InvalidParameterException(`User pool ${poolId} exists in ${this.services.region} and is not a replica.`);
      const view = await this.describeReplica(poolId);
      if (view.Status === 'DELETING') throw new InvalidParameterException(`The replica of user pool ${poolId} in ${this.services.region} is being deleted; try again once it is gone.`);
      pullers.start(poolId);
      return view;
    }
    // The key first: nothing is copied into a region that could not read it.
    try {
      await this.services.customerKey(request.keyReference).checkAccess({ userPoolId: poolId });
    } catch (error) {
      if (error instanceof KeyUnusable) throw this.keyMissingHere(request.keyReference, error.reason);
      throw error;
    }
    // A puller left from an earlier replica of this pool (deleted through another worker, which
    // this one has not noticed yet) believes its copy finished: start from a fresh one.
    await pullers.stop(poolId);
    const puller = pullers.pullerFor(poolId);
    try {
      await puller.copySnapshot(1);
      await this.services.vault.writeLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID, { status: 'INACTIVE' });
      if (request.tags && Object.keys(request.tags).length > 0) {
        await writeSecondarySettings(this.services.vault, poolId, { UserPoolTags: request.tags });
      }
    } catch (error) {
      await pullers.stop(poolId);
      await this.services.vault.deletePool(poolId).catch(() => false);
      if (error instanceof KeyUnusable) throw this.keyMissingHere(request.keyReference, error.reason);
      throw error;
    }
    pullers.start(poolId);
    return this.describeReplica(poolId);
  }

  async describeReplica(poolId: string): Promise<ReplicaView> {
    const role = await withPool(poolId, () => this.services.vault.roleOf(poolId));
    const arn = this.arnIn(this.services.region, poolId);
    if (role === 'primary') return { RegionName: this.services.region, UserPoolArn: arn, Role: 'PRIMARY', Status: 'ACTIVE' };
    const entry = await this.parts.store.getPool(poolId);
    if (!entry) throw new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
    const state = await this.services.vault.readLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID);
    const copied = entry.snapshotProgress?.complete === true;
    const status = statusOf(copied, state);
    const live = this.parts.pullers.progress(poolId);
    const copiedRecords = entry.snapshotProgress?.copiedRecords ?? 0;
    const totalRecords = Math.max(entry.snapshotProgress?.totalRecords ?? 0, copiedRecords);
    const progress: ReplicationProgressView = {
      CopiedRecords: copiedRecords,
      TotalRecords: totalRecords,
      PercentCopied: copied ? 100 : totalRecords > 0 ? Math.min(99, Math.floor((copiedRecords / totalRecords) * 100)) : 0,
      AppliedSequence: entry.appliedSequence ?? 0,
      PrimarySequence: live && live.primarySequence > 0 ? live.primarySequence : null,
      LagSeconds: live?.lagSeconds ?? null,
      LastError: live?.lastError ?? null,
    };
    return { RegionName: this.services.region, UserPoolArn: arn, Role: 'SECONDARY', Status: status, Progress: progress };
  }

  async setReplicaStatus(poolId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<ReplicaView> {
    const current = await this.describeReplica(poolId);
    if (current.Role === 'PRIMARY') throw new InvalidParameterException(`${this.services.region} is the primary region of user pool ${poolId}; the primary is always ACTIVE.`);
    if (current.Status === 'CREATING') throw new InvalidParameterException(`The replica of user pool ${poolId} in ${this.services.region} is still CREATING (${current.Progress?.PercentCopied ?? 0}% copied); it can be activated once it is INACTIVE.`);
    if (current.Status === 'DELETING') throw new InvalidParameterException(`The replica of user pool ${poolId} in ${this.services.region} is being deleted.`);
    await this.services.vault.writeLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID, { status });
    return this.describeReplica(poolId);
  }

  async deleteReplica(poolId: string, caller: string): Promise<void> {
    if (caller !== primaryRegionOf(poolId)) throw new InvalidParameterException(`Only ${primaryRegionOf(poolId)}, the primary region of user pool ${poolId}, can delete its replicas.`);
    const current = await this.describeReplica(poolId);
    if (current.Role !== 'SECONDARY') throw new InvalidParameterException(`User pool ${poolId} is not a replica in ${this.services.region}.`);
    if (current.Status === 'ACTIVE' || current.Status === 'CREATING') {
      throw new InvalidParameterException(`Only INACTIVE replicas can be deleted; the replica in ${this.services.region} is ${current.Status}. Deactivate it first with UpdateUserPoolReplica.`);
    }
    await this.services.vault.writeLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID, { status: 'DELETING' });
    await this.parts.pullers.stop(poolId);
    await this.services.vault.deletePool(poolId);
  }

  async receiveShipment(poolId: string, caller: string, values: ShippedValue[]): Promise<number> {
    if ((await withPool(poolId, () => this.services.vault.roleOf(poolId))) !== 'primary') {
      throw new OperationNotEnabledException(`User pool ${poolId} is not primary in ${this.services.region}; ship revocations and code uses to ${primaryRegionOf(poolId)}.`);
    }
    if (!(await this.registryOf(poolId)).regions[caller]) throw new InvalidParameterException(`${caller} holds no replica of user pool ${poolId}.`);
    const { vault } = this.services;
    const opened: OpenedShippedValue[] = [];
    for (const item of values) {
      // A kind this region does not merge (a newer secondary's) is left out, not refused.
      const shipped = this.parts.shippedKinds.find((candidate) => candidate.kind === item.kind);
      if (!shipped) continue;
      try {
        opened.push({ shipped, id: item.id, value: await vault.openSealedLocal(poolId, item.kind, item.id, Buffer.from(item.payload, 'base64')) });
      } catch {
        throw new InvalidParameterException(`A shipped ${item.kind} of user pool ${poolId} does not open with the pool's key.`);
      }
    }
    return vault.write(poolId, (records) => mergeShipment(records, opened, this.services.now()));
  }

  async regionSettings(poolId: string): Promise<RegionSettingsFingerprints> {
    const role = await withPool(poolId, () => this.services.vault.roleOf(poolId));
    const settings: PerRegionSettings =
      role === 'replica' ? await readSecondarySettings(this.services.vault, poolId) : pickRegionSettings((await readPool(this.services, poolId)).settings);
    const fingerprints = await this.services.vault.read(poolId, async (records) => settingFingerprints(records, settings));
    return { RegionName: this.services.region, Settings: fingerprints };
  }

  async digest(poolId: string): Promise<{ RegionName: string; Digest: string; Sequence: number }> {
    const entry = await this.parts.store.getPool(poolId);
    if (!entry) throw new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
    const digest = await poolDigest(this.parts.store, poolId);
    return { RegionName: this.services.region, Digest: digest, Sequence: entry.role === 'replica' ? (entry.appliedSequence ?? 0) : entry.lastSequence };
  }

  /** The failover checklist of a pool, gathered from every region of it. */
  async failoverChecklist(poolId: string): Promise<FailoverChecklist> {
    const views = await this.listReplicas(poolId);
    const regions = await Promise.all(
      views.map(async (view): Promise<ChecklistRegion> => {
        let settings: Record<string, string | null> | null = null;
        try {
          settings = view.RegionName === this.services.region ? (await this.regionSettings(poolId)).Settings : (await this.ask<RegionSettingsFingerprints>(view.RegionName, 'GET', poolId, 'region-settings', undefined, VIEW_TIMEOUT_MS)).Settings;
        } catch (error) {
          // ask() turns every failed peer call into a ServiceError.
          if (!(error instanceof ServiceError)) throw error;
        }
        return { RegionName: view.RegionName, Role: view.Role, Status: view.Status, Settings: settings };
      }),
    );
    return failoverChecklist(regions);
  }

  // ---- For the gate and the region ---------------------------------------------------------

  /** The status of a replica pool here, or null when the pool is not a replica here. */
  async replicaStatus(poolId: string): Promise<ReplicaView['Status'] | null> {
    if ((await this.services.vault.roleOf(poolId)) !== 'replica') return null;
    const entry = await this.parts.store.getPool(poolId);
    if (!entry) return null;
    return statusOf(entry.snapshotProgress?.complete === true, await this.services.vault.readLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID));
  }

  /**
   * Follows every replica pool in the store (after a restart, and periodically in the leader
   * worker to adopt pools another worker created); finishes deletions a crash interrupted.
   */
  async resume(): Promise<void> {
    await this.parts.pullers.resumeAll(async (poolId) => {
      const state = await this.services.vault.readLocal<SecondaryState>(poolId, STATE_KIND, STATE_ID).catch(() => null);
      if (state?.status === 'DELETING') {
        // A deletion interrupted by a crash: finish it.
        await this.services.vault.deletePool(poolId);
        return false;
      }
      return true;
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async requirePrimary(poolId: string, action: string): Promise<void> {
    const role = await withPool(poolId, () => this.services.vault.roleOf(poolId));
    if (role === 'replica') throw new OperationNotEnabledException(`${action} is only available in the primary region of user pool ${poolId} (${primaryRegionOf(poolId)}); ${this.services.region} holds a secondary replica.`);
  }

  private requireOtherRegion(regionName: string): void {
    if (regionName === this.services.region) throw new InvalidParameterException(`${regionName} is this region; name another region of the catalog.`);
    if (!this.parts.peers.has(regionName)) {
      const known = this.parts.peers.names();
      throw new InvalidParameterException(`Region ${regionName} is not in this deployment's region catalog${known.length ? ` (known: ${known.join(', ')})` : ' (this region has no peers)'}.`);
    }
  }

  /**
   * Records a replica's status in the primary's registry as one atomic change of that entry alone
   * (several requests, or workers, may change the registry at once). `onlyIfPresent` leaves a
   * region that was deleted meanwhile deleted.
   */
  private async recordReplica(poolId: string, region: string, status: ReplicaView['Status'], options: { onlyIfPresent?: boolean } = {}): Promise<void> {
    const now = this.services.now();
    await this.services.vault.updateLocal<ReplicaRegistry, void>(poolId, REGISTRY_KIND, REGISTRY_ID, (registry) => {
      const current = registry?.regions[region];
      if (!current && options.onlyIfPresent) return { value: null, result: undefined };
      return { value: { regions: { ...registry?.regions, [region]: { status, createdAt: current?.createdAt ?? now } } }, result: undefined };
    });
  }

  private async registryOf(poolId: string): Promise<ReplicaRegistry> {
    return (await this.services.vault.readLocal<ReplicaRegistry>(poolId, REGISTRY_KIND, REGISTRY_ID)) ?? { regions: {} };
  }

  private arnIn(region: string, poolId: string): string {
    return userPoolArn(region, this.services.accountId, poolId);
  }

  private keyMissingHere(keyReference: string, reason: string): Error {
    return new InvalidParameterException(
      `The multi-Region KMS key ${keyReference} has no usable replica in ${this.services.region} (${reason}): replicate it there with ReplicateKey and allow cognito-idp.amazonaws.com kms:GenerateDataKey, kms:Decrypt and kms:DescribeKey in the replica's policy.`,
    );
  }

  /** A call to another region; its Cognito errors come back as the same errors here. */
  private async ask<T>(region: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', poolId: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    try {
      return await this.parts.peers.request<T>(region, method, `/replication/pools/${encodeURIComponent(poolId)}/${path}`, body, timeoutMs ? { timeoutMs } : {});
    } catch (error) {
      if (!(error instanceof PeerRequestFailed)) throw error;
      if (error.unreachable) throw new InternalErrorException(`Region ${region} could not be reached (${error.type}); retry when it is back.`);
      if (error.type === 'ResourceNotFoundException') throw new ResourceNotFoundException(error.detail);
      if (error.status >= 400 && error.status < 500 && /^[A-Za-z]+Exception$/.test(error.type)) throw new ServiceError(error.type, error.detail, error.status);
      throw new InternalErrorException(`Region ${region} failed the request: ${error.type}.`);
    }
  }
}

/** A secondary's status: what was decided there, CREATING until the copy is complete. */
function statusOf(copied: boolean, state: SecondaryState | null): ReplicaView['Status'] {
  if (state?.status === 'DELETING') return 'DELETING';
  return copied ? (state?.status ?? 'INACTIVE') : 'CREATING';
}
