import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { TEST_ADMIN } from './region.ts';

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));
/** tsx compiles the sources on first start; a loaded CI machine can take a while. */
const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 5;
/** Output kept for failure messages; older output is dropped. */
const OUTPUT_LIMIT = 256 * 1024;

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RegionProcessOptions {
  /** Data directory (SQLite file, root key, generated credentials); the caller owns and removes it. */
  dataDir: string;
  /** Region name passed to `--region`; default us-east-1. */
  region?: string;
  /** `--database postgres://...`; absent means SQLite in dataDir. */
  databaseUrl?: string;
  /**
   * Admin credentials given through MERIDIAN_ADMIN_ACCESS_KEY_ID / _SECRET_ACCESS_KEY (default
   * TEST_ADMIN). `'from-data-dir'` passes none, so the process uses (or generates) the ones in
   * `<dataDir>/admin-credentials.json`, and the returned client is signed with those.
   */
  credentials?: AccessKey | 'from-data-dir';
  /** `--log-level`; default warn. */
  logLevel?: string;
  /** More arguments after the ones above, e.g. `['--account-id', '123456789012']`. */
  extraArgs?: string[];
  /** More environment variables for the child (MERIDIAN_* of this process are not inherited). */
  extraEnv?: Record<string, string>;
  /** How long to wait for the `listening` line. */
  startTimeoutMs?: number;
  /** A fixed port (peers must know each other's endpoint before starting); default: a free one. */
  port?: number;
  /**
   * Start with `--catalog <file>` instead of `--port`/`--data`: the catalog names the region's
   * endpoint (its port must be `port`) and its data directory (`<catalog dir>/<region>`, which
   * should be `dataDir`).
   */
  catalog?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RegionProcess {
  url: string;
  port: number;
  pid: number;
  region: string;
  dataDir: string;
  /** The credentials the process accepts as admin. */
  credentials: AccessKey;
  /** A Cognito client (no retries) signed with `credentials`. */
  cognito: CognitoIdentityProviderClient;
  /** A Cognito client with other credentials; destroyed when the process stops. */
  cognitoWith(credentials: AccessKey): CognitoIdentityProviderClient;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<ExitStatus>;
  /**
   * Sends `signal` and resolves with the exit code (null when a signal ended it). A process still
   * running after `timeoutMs` is killed with SIGKILL and the promise rejects with its output.
   * Safe to call more than once and after the process has exited.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILL (no chance to flush or close anything); resolves once the process is gone. */
  kill9(): Promise<void>;
}

/** Children still running, killed if this test process exits without stopping them. */
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.on('exit', killRunning);
// Interrupted (Ctrl-C, a runner stopping this file): kill the children, then die of the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killRunning();
    process.kill(process.pid, signal);
  });
}

/**
 * Starts `meridian serve` as a real child process (node + bin/meridian.js) on a free loopback
 * port and waits for its `listening` line. Retries on another port when the chosen one was taken
 * in between (EADDRINUSE). Fails with the process output when it exits or stays silent too long.
 */
export async function startRegionProcess(options: RegionProcessOptions): Promise<RegionProcess> {
  if (options.port !== undefined) return startOnPort(options, options.port);
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = await freeLoopbackPort();
    try {
      return await startOnPort(options, port);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTaken)) throw error;
    }
  }
  throw lastError;
}

/** A port nobody listened on a moment ago: bind port 0 on loopback, read it, close. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

class PortTaken extends Error {}

async function startOnPort(options: RegionProcessOptions, port: number): Promise<RegionProcess> {
  const region = options.region ?? 'us-east-1';
  const args = options.catalog
    ? [MERIDIAN_BIN, 'serve', '--region', region, '--catalog', options.catalog, '--host', '127.0.0.1']
    : [MERIDIAN_BIN, 'serve', '--region', region, '--port', String(port), '--host', '127.0.0.1', '--data', options.dataDir];
  if (options.databaseUrl) args.push('--database', options.databaseUrl);
  args.push('--log-level', options.logLevel ?? 'warn', ...(options.extraArgs ?? []));

  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The test runner's own variables and any Meridian setting of the developer's shell would
    // change what the child does; it gets exactly what the test asks for.
    if (name.startsWith('MERIDIAN_') || name.startsWith('NODE_TEST')) continue;
    environment[name] = value;
  }
  const fixedCredentials = options.credentials === 'from-data-dir' ? null : (options.credentials ?? TEST_ADMIN);
  if (fixedCredentials) {
    environment.MERIDIAN_ADMIN_ACCESS_KEY_ID = fixedCredentials.accessKeyId;
    environment.MERIDIAN_ADMIN_SECRET_ACCESS_KEY = fixedCredentials.secretAccessKey;
  }
  Object.assign(environment, options.extraEnv);

  const child = spawn(process.execPath, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    // A process that could not be started never emits 'exit'.
    child.once('error', (error) => {
      append(Buffer.from(`\n[spawn error] ${error.message}\n`));
      if (child.pid === undefined) {
        running.delete(child);
        resolve({ code: null, signal: null });
      }
    });
  });

  const describe = () => `meridian serve (pid ${child.pid}, port ${port}) output:\n${output}`;
  try {
    await waitForListening(child, exited, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    if (/EADDRINUSE/.test(output)) throw new PortTaken(`port ${port} was taken: ${describe()}`);
    throw new Error(`${(error as Error).message}\n${describe()}`);
  }

  const credentials = fixedCredentials ?? readSavedCredentials(options.dataDir);
  const url = `http://127.0.0.1:${port}`;
  const clients: CognitoIdentityProviderClient[] = [];
  const cognitoWith = (key: AccessKey) => {
    const client = new CognitoIdentityProviderClient({ region, endpoint: url, credentials: key, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  void exited.then(() => {
    for (const client of clients) client.destroy();
  });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`still running ${timeoutMs} ms after ${signal}; killed. ${describe()}`);
    }
    return result.code;
  };

  return {
    url,
    port,
    pid: child.pid!,
    region,
    dataDir: options.dataDir,
    credentials,
    cognito: cognitoWith(credentials),
    cognitoWith,
    output: () => output,
    exited,
    stop,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

function waitForListening(child: ChildProcess, exited: Promise<ExitStatus>, timeoutMs: number, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => finish(new Error(`no 'listening' line within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (/listening/.test(stdout)) finish();
    };
    child.stdout!.on('data', onData);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      if (error) reject(error);
      else resolve();
    };
    void exited.then(({ code, signal }) => finish(new Error(`exited (code ${code}, signal ${signal}) before listening; ${output().length} bytes of output`)));
  });
}

function readSavedCredentials(dataDir: string): AccessKey {
  const saved = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as AccessKey;
  return { accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey };
}
