import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAdminCredentials } from './admin-credentials.ts';

export interface UpOptions {
  regions: string;
  port: string;
  data: string;
}

const MERIDIAN_BIN = fileURLToPath(new URL('../../bin/meridian.js', import.meta.url));

/**
 * `meridian up`: a local deployment with each region as its own `meridian serve` process and its own
 * data directory, sharing one set of admin credentials. Writes `<data>/regions.json`, prints `ready`
 * once every region answers /health, and stops them all on SIGTERM/SIGINT. A region that dies is
 * not restarted; the others keep running.
 */
export async function upCommand(options: UpOptions): Promise<void> {
  const dataDir = resolve(options.data);
  mkdirSync(dataDir, { recursive: true });
  const credentials = resolveAdminCredentials(dataDir);
  const names = options.regions.split(',').map((name) => name.trim()).filter(Boolean);
  const basePort = Number(options.port);

  const regions = names.map((name, index) => {
    const port = basePort + index;
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MERIDIAN_BIN, 'serve', '--region', name, '--port', String(port), '--data', join(dataDir, name)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, MERIDIAN_ADMIN_ACCESS_KEY_ID: credentials.accessKeyId, MERIDIAN_ADMIN_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    });
    child.on('exit', (code, signal) => console.log(`region ${name} exited (${signal ?? code})`));
    return { name, endpoint, child };
  });

  writeFileSync(
    join(dataDir, 'regions.json'),
    JSON.stringify({ regions: regions.map(({ name, endpoint, child }) => ({ name, endpoint, pid: child.pid })) }, null, 2) + '\n',
  );

  const stop = () => {
    for (const { child } of regions) if (child.exitCode === null) child.kill('SIGTERM');
    void Promise.all(regions.map(({ child }) => exited(child))).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await Promise.all(regions.map(({ endpoint, child }) => waitForHealth(endpoint, child)));
  console.log('');
  for (const { name, endpoint } of regions) console.log(`region ${name}: ${endpoint}`);
  console.log(`admin credentials: AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`);
  console.log(`meridian ready: ${regions.length} region(s)`);
}

async function waitForHealth(endpoint: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`region at ${endpoint} exited before it was ready`);
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}
