import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RegionPeers } from '../kms/replication/region-peers.ts';
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
  private readonly signers = new Map<string, SignatureV4>();

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
    const endpoint = new URL(peer.endpoint);
    const fullPath = `${endpoint.pathname.replace(/\/$/, '')}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: endpoint.host };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const signed = await this.signer(region).sign(
      new HttpRequest({ method, protocol: endpoint.protocol, hostname: endpoint.hostname, ...(endpoint.port ? { port: Number(endpoint.port) } : {}), path: fullPath, headers, ...(payload !== undefined ? { body: payload } : {}) }),
    );
    // fetch sets the same Host itself.
    const sent = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    let response: Response;
    try {
      response = await fetch(new URL(fullPath, endpoint), { method, headers: sent, ...(payload !== undefined ? { body: payload } : {}), signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs) });
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

  private signer(region: string): SignatureV4 {
    let signer = this.signers.get(region);
    if (!signer) {
      const { accessKeyId, secretAccessKey } = this.peer(region);
      signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: REPLICATION_SIGNING_NAME, sha256: Sha256, uriEscapePath: true });
      this.signers.set(region, signer);
    }
    return signer;
  }
}
