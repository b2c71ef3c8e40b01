import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CredentialLookup } from '../wire/sigv4-verifier.ts';
import { answerReplicationCall, authenticateReplicationCall, poolIdOf, ReplicationRouteError } from './replication-http.ts';
import { SHIPMENT_LIMIT } from './shipped-kinds.ts';

export type ReplicaRole = 'PRIMARY' | 'SECONDARY';
export type ReplicaStatus = 'CREATING' | 'INACTIVE' | 'ACTIVE' | 'DELETING';

/** How far a secondary's copy and change stream are (extra fields of ListUserPoolReplicas). */
export interface ReplicationProgressView {
  CopiedRecords: number;
  TotalRecords: number;
  PercentCopied: number;
  AppliedSequence: number;
  PrimarySequence: number | null;
  LagSeconds: number | null;
  LastError: string | null;
}

/** One region's view of itself for a pool: Cognito's UserPoolReplicaType plus progress. */
export interface ReplicaView {
  RegionName: string;
  UserPoolArn: string;
  Role: ReplicaRole;
  Status: ReplicaStatus;
  Progress?: ReplicationProgressView;
  /** Set when this view is a region's last known state because it could not be asked now. */
  Reachable?: boolean;
}

/**
 * A value of a shipped kind (a revocation, a code's use; replication/shipped-kinds.ts) written in a
 * secondary, sealed as it is stored there (region-independent AAD).
 */
export interface ShippedValue {
  kind: string;
  id: string;
  /** base64 of the sealed local-state payload. */
  payload: string;
}

/** Fingerprints of one region's per-region settings (never the values). */
export interface RegionSettingsFingerprints {
  RegionName: string;
  Settings: Record<string, string | null>;
}

/** What the control endpoints ask of the region (userpools/replicas/replica-lifecycle.ts does it). */
export interface ReplicaControl {
  startReplica(poolId: string, caller: string, request: { keyReference: string; tags?: Record<string, string> }): Promise<ReplicaView>;
  describeReplica(poolId: string): Promise<ReplicaView>;
  setReplicaStatus(poolId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<ReplicaView>;
  deleteReplica(poolId: string, caller: string): Promise<void>;
  listReplicas(poolId: string): Promise<ReplicaView[]>;
  receiveShipment(poolId: string, caller: string, values: ShippedValue[]): Promise<number>;
  regionSettings(poolId: string): Promise<RegionSettingsFingerprints>;
  digest(poolId: string): Promise<{ RegionName: string; Digest: string; Sequence: number }>;
}


/**
 * The inter-region control endpoints of replicas, under `/replication/pools/:poolId/`:
 *
 * - `POST replica` (primary -> target): start replicating the pool here.
 * - `GET replica`: this region's view of itself (role, status, progress).
 * - `PUT replica {Status}`: activate or deactivate the replica here.
 * - `DELETE replica` (primary -> target): remove the replica and its data here.
 * - `GET replicas` (on the primary): every region of the pool.
 * - `POST revocations` (secondary -> primary): sign-outs and revoked sessions made there.
 * - `GET region-settings`: fingerprints of the per-region settings here (failover checklist).
 * - `GET digest`: digest of the pool's records here (`meridian replicas verify`).
 *
 * Callers are other regions only: SigV4 with the pair's credential (service
 * `meridian-replication`, scoped to this region). Errors are `{__type, message}` with the
 * status of the Cognito error they stand for, so the calling region can pass them on unchanged.
 */
export function registerReplicaControlRoutes(app: FastifyInstance, options: { control: ReplicaControl; credentials: CredentialLookup; region: string; regionOf(accessKeyId: string): string | null }): void {
  const { control } = options;
  app.register(async (scope) => {
    // The raw bytes are needed for the SigV4 payload hash.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, handler: (poolId: string, caller: string, body: unknown) => Promise<unknown>) =>
      scope.route<{ Params: { poolId: string } }>({
        method,
        url: `/replication/pools/:poolId/${path}`,
        handler: (request, reply) =>
          answerReplicationCall(reply, async () => {
            const { principal } = await authenticateReplicationCall(request, options.credentials, options.region);
            const caller = options.regionOf(principal.accessKeyId);
            if (!caller) throw new ReplicationRouteError(403, 'UnrecognizedClientException', 'Only other regions of this deployment may call the replica endpoints.');
            return handler(poolIdOf(request.params.poolId), caller, bodyOf(request));
          }),
      });

    route('POST', 'replica', (poolId, caller, body) => {
      const request = body as { keyReference?: unknown; tags?: unknown };
      if (typeof request.keyReference !== 'string' || request.keyReference.length > 2048) throw new ReplicationRouteError(400, 'InvalidParameterException', 'keyReference is required.');
      const tags = isStringRecord(request.tags) ? request.tags : undefined;
      return control.startReplica(poolId, caller, { keyReference: request.keyReference, ...(tags ? { tags } : {}) });
    });
    route('GET', 'replica', (poolId) => control.describeReplica(poolId));
    route('PUT', 'replica', (poolId, _caller, body) => {
      const status = (body as { Status?: unknown }).Status;
      if (status !== 'ACTIVE' && status !== 'INACTIVE') throw new ReplicationRouteError(400, 'InvalidParameterException', 'Status must be ACTIVE or INACTIVE.');
      return control.setReplicaStatus(poolId, status);
    });
    route('DELETE', 'replica', async (poolId, caller) => {
      await control.deleteReplica(poolId, caller);
      return {};
    });
    route('GET', 'replicas', async (poolId) => ({ UserPoolReplicas: await control.listReplicas(poolId) }));
    // Named `revocations` (path and body) from before used codes travelled too; kept, so regions
    // of two versions still ship to each other.
    route('POST', 'revocations', async (poolId, caller, body) => {
      const values = (body as { revocations?: unknown }).revocations;
      if (!Array.isArray(values) || values.length > SHIPMENT_LIMIT || !values.every(isShippedValue)) {
        throw new ReplicationRouteError(400, 'InvalidParameterException', `revocations must be a list of at most ${SHIPMENT_LIMIT} {kind, id, payload}.`);
      }
      return { merged: await control.receiveShipment(poolId, caller, values) };
    });
    route('GET', 'region-settings', (poolId) => control.regionSettings(poolId));
    route('GET', 'digest', (poolId) => control.digest(poolId));
  });
}

function bodyOf(request: FastifyRequest): unknown {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new ReplicationRouteError(400, 'SerializationException', 'The request body must be a JSON object.');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}

function isShippedValue(value: unknown): value is ShippedValue {
  const item = value as ShippedValue;
  return typeof item === 'object' && item !== null && typeof item.kind === 'string' && typeof item.id === 'string' && typeof item.payload === 'string' && item.id.length <= 256 && item.payload.length <= 16_384;
}

