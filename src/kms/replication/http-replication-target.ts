import { signedFetch } from '../../wire/signed-fetch.ts';
import { DependencyTimeoutException, kmsErrorOf } from '../errors.ts';
import type { KeyAttributes } from '../key-model.ts';
import type { RegionPeers } from './region-peers.ts';
import { toMessage, receiptSchema } from './replica-message.ts';
import type { KeyReplicationTarget, ReplicaPayload, ReplicaReceipt, ReplicationTargets } from './replication-target.ts';

export const REPLICA_ROUTE = '/internal/kms/replicas';
const TIMEOUT_MS = 10_000;

/**
 * Reaches another Region's KMS over HTTP: `POST <endpoint>/internal/kms/replicas`, SigV4-signed
 * (service `kms`) with the credential the two Regions share, material wrapped for transport under
 * a key derived from the same secret. Errors the other Region answers come back as the same KMS
 * errors; an unreachable Region is DependencyTimeoutException (503, retryable).
 */
export class HttpReplicationTarget implements KeyReplicationTarget {
  constructor(
    readonly region: string,
    private readonly sourceRegion: string,
    private readonly peer: { endpoint: string; accessKeyId: string; secretAccessKey: string },
  ) {}

  async send(payload: ReplicaPayload): Promise<ReplicaReceipt> {
    const body = JSON.stringify(toMessage(payload, this.sourceRegion, this.region, this.peer.secretAccessKey));
    let response: Response;
    try {
      response = await signedFetch({
        endpoint: this.peer.endpoint,
        method: 'POST',
        path: REPLICA_ROUTE,
        headers: { 'content-type': 'application/json' },
        body,
        region: this.region,
        service: 'kms',
        credentials: { accessKeyId: this.peer.accessKeyId, secretAccessKey: this.peer.secretAccessKey },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new DependencyTimeoutException(`The KMS of ${this.region} could not be reached: ${(error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DependencyTimeoutException(`The KMS of ${this.region} answered ${response.status} without a JSON body.`);
    }
    if (!response.ok) {
      const { __type, message } = json as { __type?: unknown; message?: unknown };
      throw kmsErrorOf(typeof __type === 'string' ? __type : 'KMSInternalException', `${this.region}: ${typeof message === 'string' ? message : 'request failed'}`);
    }
    const receipt = receiptSchema.parse(json);
    return { attributes: receipt.attributes as unknown as KeyAttributes, policy: receipt.policy };
  }
}

/** Replication targets for the configured peers. */
export function httpReplicationTargets(sourceRegion: string, peers: RegionPeers): ReplicationTargets {
  const targets = new Map(Object.entries(peers).map(([region, peer]) => [region, new HttpReplicationTarget(region, sourceRegion, peer)]));
  return (region) => targets.get(region) ?? null;
}
