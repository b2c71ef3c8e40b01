import { connect, type Socket } from 'node:net';

/**
 * The load generator's HTTP client: HTTP/1.1 written and read directly on kept-alive TCP
 * sockets, one per request in flight (so one per concurrent client), as wrk and similar tools do.
 * The benchmark process shares the machine's cores with the server, so every millisecond it spends
 * is one the server does not get: measured here, `fetch` (undici) cost about 0.4-0.5 ms of CPU per
 * request, node:http about 0.10-0.15 ms, this client 0.04-0.07 ms. The server sees ordinary
 * requests (request line, Host, the caller's headers, Content-Length, body) and parses them with
 * its full HTTP stack as before.
 *
 * It reads responses framed by Content-Length, which is how every benchmarked endpoint answers;
 * anything else (chunked encoding, a closed connection) fails the request rather than guessing.
 *
 * As with wrk, a load phase sends requests prepared before it (`prepareRequest`, then `send`), and
 * an answer's body is decoded only when read: building and decoding them per request took
 * about 0.01-0.02 ms of the benchmark process's CPU per request here.
 */
export interface BenchResponse {
  status: number;
  /** The body as text, decoded on first read. */
  readonly text: string;
  /** Whether the body holds `bytes`, without decoding it. */
  contains(bytes: Buffer): boolean;
}

class ReceivedResponse implements BenchResponse {
  private decoded: string | null = null;
  constructor(readonly status: number, private readonly body: Buffer) {}

  get text(): string {
    return (this.decoded ??= this.body.toString('utf8'));
  }

  contains(bytes: Buffer): boolean {
    return this.body.includes(bytes);
  }
}

/** A request's bytes and where they go, built once for many sends. */
export interface PreparedRequest {
  host: string;
  port: number;
  bytes: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (response: BenchResponse) => void; reject: (error: Error) => void } | null = null;
  closed = false;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(request: Buffer): Promise<BenchResponse> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.fail(new Error('response without Content-Length'));
    const end = headerEnd + HEADER_END.length + Number(length[1]);
    if (this.buffered.length < end) return;
    const response = new ReceivedResponse(Number(head.slice(9, 12)), this.buffered.subarray(headerEnd + HEADER_END.length, end));
    this.buffered = this.buffered.subarray(end);
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(response);
  }

  private fail(error: Error): void {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Idle kept-alive connections per `host:port`. */
const idle = new Map<string, Connection[]>();
const all = new Set<Connection>();

async function connection(host: string, port: number): Promise<Connection> {
  const key = `${host}:${port}`;
  const reused = idle.get(key)?.pop();
  if (reused && !reused.closed) return reused;
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const opened = new Connection(socket);
  all.add(opened);
  return opened;
}

/** Parsed URLs: a phase posts to one URL over and over. */
const targets = new Map<string, URL>();

/** POST `body` to `url` with `headers` (plus Host and Content-Length), ready to `send` many times. */
export function prepareRequest(url: string, headers: Record<string, string>, body: string): PreparedRequest {
  let target = targets.get(url);
  if (!target) targets.set(url, (target = new URL(url)));
  const payload = Buffer.from(body);
  let head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${payload.length}\r\n\r\n`;
  return { host: target.hostname, port: Number(target.port || 80), bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]) };
}

export function post(url: string, headers: Record<string, string>, body: string): Promise<BenchResponse> {
  return send(prepareRequest(url, headers, body));
}

export async function send(request: PreparedRequest): Promise<BenchResponse> {
  const open = await connection(request.host, request.port);
  try {
    const response = await open.send(request.bytes);
    if (!open.closed) {
      const key = `${request.host}:${request.port}`;
      let list = idle.get(key);
      if (!list) idle.set(key, (list = []));
      list.push(open);
    }
    return response;
  } catch (error) {
    open.close();
    all.delete(open);
    throw error;
  }
}

/** Closes the kept-alive connections, so the benchmark process can exit. */
export function closeConnections(): void {
  for (const open of all) open.close();
  all.clear();
  idle.clear();
}
