import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The relying party's side of the redirects: a tiny HTTP server on loopback that answers every
 * path with a small page and records the URLs the browser reached (with code, state or error).
 * `localhost` may resolve to ::1 or 127.0.0.1, so it listens on both when the host has IPv6.
 */
export interface CallbackServer {
  /** `http://localhost:<port>/callback` */
  callbackUrl: string;
  /** `http://localhost:<port>/signed-out` */
  logoutUrl: string;
  /** Every URL reached, in order. */
  readonly received: URL[];
  /** The next URL reached under `path` (or already reached and not yet taken). */
  next(path: string, timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const received: URL[] = [];
  const taken = new Set<URL>();
  const waiters: Array<{ path: string; resolve: (url: URL) => void }> = [];
  let port = 0;
  const handler = (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://localhost:${port}`);
    if (url.pathname !== '/favicon.ico') {
      received.push(url);
      const waiter = waiters.findIndex((candidate) => candidate.path === url.pathname);
      if (waiter >= 0) {
        taken.add(url);
        waiters.splice(waiter, 1)[0]!.resolve(url);
      }
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    response.end('<!DOCTYPE html><html lang="en"><title>Example app</title><p>Back at the app.</p></html>');
  };
  const servers: Server[] = [];
  const listen = (host: string, wanted: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer(handler);
      server.once('error', reject);
      server.listen(wanted, host, () => resolve(server));
    });
  const first = await listen('127.0.0.1', 0);
  servers.push(first);
  port = (first.address() as AddressInfo).port;
  try {
    servers.push(await listen('::1', port));
  } catch {
    // No IPv6 loopback here: browsers fall back to 127.0.0.1.
  }
  return {
    callbackUrl: `http://localhost:${port}/callback`,
    logoutUrl: `http://localhost:${port}/signed-out`,
    received,
    next(path, timeoutMs = 15_000) {
      const waiting = received.find((url) => url.pathname === path && !taken.has(url));
      if (waiting) {
        taken.add(waiting);
        return Promise.resolve(waiting);
      }
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing reached ${path} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          path,
          resolve: (url) => {
            clearTimeout(timer);
            resolve(url);
          },
        });
      });
    },
    async close() {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
