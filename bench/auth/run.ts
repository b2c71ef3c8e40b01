/**
 * bench/auth: InitiateAuth USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH through a real region process
 * at 16 concurrent clients, next to the raw cost of the same crypto measured in this process in the
 * same run, taking turns with the server phases while the server idles (Argon2id verification + two RS256 signatures for a login; two RS256 signatures + an
 * AES-GCM open for a refresh). Run: `npx tsx bench/auth/run.ts [seconds]`; on PostgreSQL:
 * `MERIDIAN_BENCH_DATABASE=postgres://postgres@127.0.0.1:5432/test npx tsx bench/auth/run.ts`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { signRs256Jwt } from '../../src/auth/tokens/compact-jws.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords/password-hash.ts';
import { openAesGcm, sealAesGcm } from '../../src/crypto/aes-gcm.ts';
import { send } from '../support/http-client.ts';
import { interleaved, peakRssMiB, roundsFor, type LoadResult } from '../support/load.ts';
import { BENCH_ADMIN, BENCH_DATABASE, BENCH_WORKERS, callCognito, prepareCognito, startBenchRegion } from '../support/region-process.ts';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

const CONCURRENCY = 16;
const SECONDS = Number(process.argv[2] ?? 10);
const USERS = 32;
const PASSWORD = 'Bench-Passw0rd!';

/** A pool with a password client and USERS confirmed users, under the service key or a customer key. */
async function benchPool(region: Awaited<ReturnType<typeof startBenchRegion>>, keyArn?: string): Promise<{ clientId: string; usernames: string[] }> {
  const poolId = (
    await region.cognito.send(
      new CreateUserPoolCommand({ PoolName: 'bench', ...(keyArn ? { KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: keyArn } } : {}) }),
    )
  ).UserPool!.Id!;
  const clientId = (
    await region.cognito.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bench', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    )
  ).UserPoolClient!.ClientId!;
  const usernames = Array.from({ length: USERS }, (_, i) => `bench-user-${i}`);
  for (const username of usernames) {
    await region.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }] }));
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
  }
  return { clientId, usernames };
}

/** A customer key whose policy grants Meridian's pools what docs/KEYS.md says. */
async function customerKey(region: Awaited<ReturnType<typeof startBenchRegion>>): Promise<string> {
  const kms = new KMSClient({ region: 'us-east-1', endpoint: region.url, credentials: BENCH_ADMIN });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Pools', Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey'], Resource: '*' },
    ],
  };
  const arn = (await kms.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
  kms.destroy();
  return arn;
}

async function main(): Promise<void> {
  const region = await startBenchRegion();
  try {
    const { clientId, usernames } = await benchPool(region);
    const customer = await benchPool(region, await customerKey(region));

    const signInTo = (client: string, username: string) => callCognito(region.url, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: username, PASSWORD } });
    const signIn = (username: string) => signInTo(clientId, username);
    const refreshTokens: string[] = [];
    for (const username of usernames) refreshTokens.push(String(((await signIn(username)).json.AuthenticationResult as Record<string, unknown>).RefreshToken));
    // Prepared before the load, as wrk's requests are; only the status of an answer is read.
    const refreshRequests = refreshTokens.map((token) => prepareCognito(region.url, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: token } }));

    // The cost floors, in this process, with the same signing call as the server's (node:crypto in
    // the thread pool, the cheapest way to sign here).
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { sub: 'c0ffee00-0000-4000-8000-000000000000', token_use: 'access', scope: 'aws.cognito.signin.user.admin', client_id: clientId, username: 'bench-user-1' };
    const sign = () => {
      const iat = Math.floor(Date.now() / 1000);
      return signRs256Jwt(privateKey, 'k', { ...claims, iat, exp: iat + 3600 });
    };
    const hash = await hashPassword(PASSWORD);
    const tokenKey = randomBytes(32);
    const sealed = sealAesGcm(tokenKey, Buffer.from(JSON.stringify({ userId: 'x'.repeat(32), clientId, sessionId: 'y'.repeat(36), authTime: 1, scope: 's', expiresAt: 2 })), Buffer.from('aad'));

    // Server phases and floors take turns (bench/support/load.ts `interleaved`); the server idles
    // during the floors' turns.
    const measured = await interleaved(CONCURRENCY, SECONDS * 1000, roundsFor(SECONDS), {
      login: { serverPid: region.pid, request: async (worker, iteration) => (await signIn(usernames[(worker * 7 + iteration) % USERS]!)).status === 200 },
      customerLogin: {
        serverPid: region.pid,
        request: async (worker, iteration) => (await signInTo(customer.clientId, customer.usernames[(worker * 7 + iteration) % USERS]!)).status === 200,
      },
      refresh: {
        serverPid: region.pid,
        request: async (worker, iteration) => (await send(refreshRequests[(worker + iteration) % USERS]!)).status === 200,
      },
      loginFloor: { request: async () => (await verifyPassword(hash, PASSWORD)) && Boolean(await sign()) && Boolean(await sign()) },
      refreshFloor: { request: async () => Boolean(openAesGcm(tokenKey, sealed, Buffer.from('aad'))) && Boolean(await sign()) && Boolean(await sign()) },
    });
    const rss = await peakRssMiB(region.pid);
    await region.stop();

    const { login, customerLogin, refresh, loginFloor, refreshFloor } = measured;
    report({ login, refresh, loginFloor, refreshFloor, rss, customerLogin });
    console.log(`load generator CPU per operation (same cores as the server): login ${login.ownCpuPerOp.toFixed(2)} ms, refresh ${refresh.ownCpuPerOp.toFixed(3)} ms`);
    console.log(
      `CPU per operation (server, all processes and threads) vs the floor's: login ${login.serverCpuPerOp.toFixed(1)} ms vs ${loginFloor.ownCpuPerOp.toFixed(1)} ms; ` +
        `refresh ${refresh.serverCpuPerOp.toFixed(3)} ms vs ${refreshFloor.ownCpuPerOp.toFixed(3)} ms`,
    );
    console.log(`server main threads (HTTP, the action's code, JSON) per refresh: ${refresh.serverMainCpuPerOp.toFixed(3)} ms; the rest runs in the thread pool`);
    // The bound of the ratio on shared cores: the floor's CPU over everything a refresh costs the machine.
    console.log(`CPU bound of the refresh ratio on these shared cores: ${((100 * refreshFloor.ownCpuPerOp) / (refresh.serverCpuPerOp + refresh.ownCpuPerOp)).toFixed(0)}%`);
  } catch (error) {
    await region.stop().catch(() => undefined);
    throw error;
  }
}

function report(results: { login: LoadResult; refresh: LoadResult; loginFloor: LoadResult; refreshFloor: LoadResult; rss: number; customerLogin: LoadResult }): void {
  const row = (name: string, result: LoadResult, floor: LoadResult) =>
    `| ${name} | ${result.perSecond.toFixed(0)}/s | ${result.p50Ms.toFixed(1)} ms | ${result.p99Ms.toFixed(1)} ms | ${result.errors} | ${floor.perSecond.toFixed(0)}/s | ${((100 * result.perSecond) / floor.perSecond).toFixed(0)}% |`;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; server: meridian serve --workers ${BENCH_WORKERS}, store ${BENCH_DATABASE ? 'postgres' : 'sqlite'}; ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase in ${roundsFor(SECONDS)} turns interleaved with the floors`);
  console.log('| operation | throughput | p50 | p99 | errors | crypto floor | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row('InitiateAuth USER_PASSWORD_AUTH', results.login, results.loginFloor));
  console.log(row('InitiateAuth REFRESH_TOKEN_AUTH', results.refresh, results.refreshFloor));
  console.log(row('InitiateAuth USER_PASSWORD_AUTH, customer-key pool', results.customerLogin, results.loginFloor));
  console.log(`customer-key pool login throughput: ${((100 * results.customerLogin.perSecond) / results.login.perSecond).toFixed(0)}% of the service-key pool's`);
  console.log(`server peak RSS (sum over primary and workers): ${results.rss.toFixed(0)} MiB`);
}

await main();
