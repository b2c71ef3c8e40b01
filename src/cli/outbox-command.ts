import { signedFetch } from '../wire/signed-fetch.ts';
import type { OutboxEntry } from '../userpools/messages/pool-outbox.ts';
import { readAdminCredentials } from './admin-credentials.ts';

export interface OutboxOptions {
  endpoint: string;
  pool: string;
  username?: string;
  /** Region named in the signature's credential scope. */
  region: string;
  /** Data directory whose admin-credentials.json to use when the environment has none. */
  data?: string;
  json?: boolean;
}

/**
 * `meridian outbox`: prints the messages a region kept for a pool (codes included: they are what
 * the operator asks for). Signs `GET /admin/outbox` with SigV4 under the admin credentials from
 * MERIDIAN_ADMIN_ACCESS_KEY_ID / MERIDIAN_ADMIN_SECRET_ACCESS_KEY, or `<data>/admin-credentials.json`.
 */
export async function outboxCommand(options: OutboxOptions): Promise<void> {
  try {
    const entries = await fetchOutbox(options);
    if (options.json) {
      console.log(JSON.stringify(entries, null, 2));
      return;
    }
    if (entries.length === 0) console.log('(no messages)');
    for (const entry of entries) {
      console.log([new Date(entry.at).toISOString(), entry.channel, entry.destination, entry.purpose, entry.username, `code=${entry.code ?? '-'}`].join('  '));
    }
  } catch (error) {
    console.error(`meridian outbox: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

export async function fetchOutbox(options: OutboxOptions, environment: NodeJS.ProcessEnv = process.env): Promise<OutboxEntry[]> {
  const credentials = readAdminCredentials(options.data || null, environment);
  if (!credentials) throw new Error('no admin credentials: set MERIDIAN_ADMIN_ACCESS_KEY_ID and MERIDIAN_ADMIN_SECRET_ACCESS_KEY (or pass --data with admin-credentials.json)');
  const query: Record<string, string> = { poolId: options.pool, ...(options.username ? { username: options.username } : {}) };
  const response = await signedFetch({ endpoint: options.endpoint, method: 'GET', path: '/admin/outbox', query, region: options.region, service: 'cognito-idp', credentials });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const body = JSON.parse(text) as { __type?: string; message?: string };
      message = `${body.__type ?? 'Error'}: ${body.message ?? ''}`;
    } catch {
      // not JSON: show the text as is
    }
    throw new Error(`${response.status} ${message}`);
  }
  return JSON.parse(text) as OutboxEntry[];
}
