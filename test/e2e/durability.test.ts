import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startRegionProcess, type RegionProcess, type RegionProcessOptions } from '../support/region-process.ts';
import { dropPostgresSchema, postgresTestUrl, uniquePostgresSchema } from '../support/stores.ts';

/** Acknowledgements before SIGKILL; the kill happens with the next request(s) in flight. */
const SEQUENTIAL_ACKS_BEFORE_KILL = 25;
const CONCURRENT_ACKS_BEFORE_KILL = 60;
const CONCURRENCY = 8;

interface WriteRun {
  acknowledged: string[];
  /** Errors from requests that failed before the kill: there must be none. */
  errorsBeforeKill: unknown[];
}

/**
 * "An acknowledged write is durable" (ARCHITECTURE.md, store and change log), checked the hard
 * way: a real `meridian serve` process is killed with SIGKILL while AdminCreateUser requests are
 * in flight, then restarted on the same data; every user whose creation was acknowledged must be
 * there. The kill is triggered by a count of acknowledgements, never by a delay.
 */
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`durability across kill -9 (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `meridian-e2e-durability-${backend}-`));
    const schema = backend === 'postgres' ? uniquePostgresSchema() : null;
    const options: RegionProcessOptions = { dataDir, ...(schema ? { databaseUrl: postgresTestUrl(schema) } : {}) };
    const processes: RegionProcess[] = [];
    const start = async () => {
      const started = await startRegionProcess(options);
      processes.push(started);
      return started;
    };
    after(async () => {
      for (const running of processes) await running.kill9();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropPostgresSchema(schema);
    });

    test('users acknowledged sequentially, then concurrently, survive SIGKILL mid-stream', async () => {
      const first = await start();
      const { UserPool } = await first.cognito.send(new CreateUserPoolCommand({ PoolName: `durability-${backend}` }));
      const poolId = UserPool!.Id!;

      const sequential = await createUsersSequentiallyThenKill(first, poolId);
      assert.deepEqual(sequential.errorsBeforeKill, []);
      assert.equal(sequential.acknowledged.length, SEQUENTIAL_ACKS_BEFORE_KILL);

      const second = await start();
      await assertUsersPresent(second.cognito, poolId, sequential.acknowledged);

      const concurrent = await createUsersConcurrentlyThenKill(second, poolId);
      assert.deepEqual(concurrent.errorsBeforeKill, []);
      assert.ok(concurrent.acknowledged.length >= CONCURRENT_ACKS_BEFORE_KILL);

      const third = await start();
      await assertUsersPresent(third.cognito, poolId, [...sequential.acknowledged, ...concurrent.acknowledged]);
      // The restarted region still takes writes on the recovered data.
      await third.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'after-recovery', MessageAction: 'SUPPRESS' }));
      assert.equal(await third.stop('SIGTERM'), 0, third.output());
    });
  });
}

function createUser(cognito: CognitoIdentityProviderClient, poolId: string, username: string) {
  return cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
}

/**
 * Creates users one at a time; after the N-th acknowledgement sends one more and SIGKILLs the
 * process once that request has been handed to the socket, without waiting for its answer (it may
 * or may not have been committed: not counted).
 */
async function createUsersSequentiallyThenKill(region: RegionProcess, poolId: string): Promise<WriteRun> {
  const run: WriteRun = { acknowledged: [], errorsBeforeKill: [] };
  for (let index = 0; run.acknowledged.length < SEQUENTIAL_ACKS_BEFORE_KILL; index += 1) {
    const username = `sequential-${index}`;
    try {
      await createUser(region.cognito, poolId, username);
      run.acknowledged.push(username);
    } catch (error) {
      run.errorsBeforeKill.push(error);
      break;
    }
  }
  await postSignedThenKill(region, 'AdminCreateUser', { UserPoolId: poolId, Username: 'sequential-unacknowledged', MessageAction: 'SUPPRESS' });
  return run;
}

/**
 * CONCURRENCY workers create users until N acknowledgements have arrived, then the process is
 * SIGKILLed with the other workers' requests in flight. Every request that resolved counts, also
 * one whose answer arrived after the kill was triggered: an answer received is an acknowledgement.
 */
async function createUsersConcurrentlyThenKill(region: RegionProcess, poolId: string): Promise<WriteRun> {
  const run: WriteRun = { acknowledged: [], errorsBeforeKill: [] };
  let next = 0;
  let killed: Promise<void> | null = null;
  const worker = async () => {
    while (!killed) {
      const username = `concurrent-${next++}`;
      try {
        await createUser(region.cognito, poolId, username);
        run.acknowledged.push(username);
      } catch (error) {
        if (!killed) run.errorsBeforeKill.push(error);
        return;
      }
      if (run.acknowledged.length >= CONCURRENT_ACKS_BEFORE_KILL && !killed) killed = region.kill9();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await killed;
  return run;
}

/**
 * Sends one signed Cognito request with node:http and SIGKILLs the process as soon as the request
 * has been fully written to the socket ('finish'): an event, not a delay, puts the kill while the
 * server holds the request. The answer, if any, is ignored.
 */
async function postSignedThenKill(region: RegionProcess, action: string, input: unknown): Promise<void> {
  const url = new URL(region.url);
  const body = Buffer.from(JSON.stringify(input));
  const signer = new SignatureV4({ credentials: region.credentials, region: region.region, service: 'cognito-idp', sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(body.length),
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body,
    }),
  );
  const answered = new Promise<void>((resolve) => {
    const outgoing = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers, agent: false }, (response) => {
      response.resume();
      response.on('end', resolve);
      response.on('error', () => resolve());
    });
    outgoing.on('error', () => resolve());
    outgoing.on('finish', () => void region.kill9());
    outgoing.end(body);
  });
  await answered;
  await region.kill9();
}

async function assertUsersPresent(cognito: CognitoIdentityProviderClient, poolId: string, usernames: string[]): Promise<void> {
  const missing: string[] = [];
  const queue = [...usernames];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let username = queue.shift(); username !== undefined; username = queue.shift()) {
        try {
          const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
          if (user.Username !== username) missing.push(username);
        } catch (error) {
          if ((error as Error).name !== 'UserNotFoundException') throw error;
          missing.push(username);
        }
      }
    }),
  );
  assert.deepEqual(missing, [], `acknowledged users lost after kill -9: ${missing.join(', ')}`);
  const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.ok(
    described.UserPool!.EstimatedNumberOfUsers! >= usernames.length,
    `EstimatedNumberOfUsers ${described.UserPool!.EstimatedNumberOfUsers} < ${usernames.length} acknowledged`,
  );
}
