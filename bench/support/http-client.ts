import { Agent, request } from 'node:http';

/**
 * The load generator's HTTP client: node:http over a keep-alive agent. The benchmark process
 * shares the machine's cores with the server, so every millisecond it spends is one the server
 * does not get; this client costs about 0.08 ms of CPU per request here, `fetch` (undici) about
 * 0.4-0.5 ms. One connection per concurrent client, kept open, as `fetch` did.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface BenchResponse {
  status: number;
  text: string;
}

export function post(url: string, headers: Record<string, string>, body: string): Promise<BenchResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Closes the kept-alive connections, so the benchmark process can exit. */
export function closeConnections(): void {
  agent.destroy();
}
