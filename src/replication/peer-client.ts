import type { RegionPeers } from '../kms/replication/region-peers.ts';
import { signedFetch } from '../wire/signed-fetch.ts';
import { REPLICATION_SIGNING_NAME } from './change-feed-routes.ts';

/** A peer's answer that was not a success; `status` 0 when the peer could not be reached. */
export class PeerRequestFailed extends Error {
  constructor(readonly region: string, readonly status: number, readonly type: string, readonly detail: string) {
    super(`region ${region} answered ${status} ${type}: ${detail}`);
    this.name = 'PeerRequestFailed';
  }

  get unreachable(): boolean {
    return this.status === 0 || this.status >= 502;
  }
}

/**
 * Signed JSON calls from this region to another region of the catalog, for the replica control
 * endpoints (src/replication/replica-control-routes.ts). Each pair of regions shares a credential
 * (the catalog derives it, see regions/region-catalog.ts peerCredential); requests are SigV4-signed
 * with it for service `meridian-replication`, scoped to the called region, so the receiver knows
 * which region calls and nobody without the pair's secret can.
 */
export class PeerRegions {
  constructor(private readonly peers: RegionPeers, private readonly timeoutMs = 10_000) {}

  has(region: string): boolean {
    return Object.hasOwn(this.peers, region);
  }

  names(): string[] {
    return Object.keys(this.peers).sort();
  }

  /** The endpoint and credential to reach `region`, e.g. for a ReplicaPuller. */
  peer(region: string): RegionPeers[string] {
    const peer = this.peers[region];
    if (!peer) throw new PeerRequestFailed(region, 0, 'UnknownRegion', `region ${region} is not in this region's catalog`);
    return peer;
  }

  async request<T>(region: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const peer = this.peer(region);
    let response: Response;
    try {
      response = await signedFetch({
        endpoint: peer.endpoint,
        method,
        path,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
        region,
        service: REPLICATION_SIGNING_NAME,
        credentials: { accessKeyId: peer.accessKeyId, secretAccessKey: peer.secretAccessKey },
        signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
      });
    } catch (error) {
      throw new PeerRequestFailed(region, 0, 'Unreachable', (error as Error).message);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: reported by status alone
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as { __type?: string; message?: string };
      throw new PeerRequestFailed(region, response.status, error.__type ?? 'Error', error.message ?? text.slice(0, 200));
    }
    return parsed as T;
  }

}
