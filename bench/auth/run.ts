/**
 * bench/auth: InitiateAuth USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH through a real region process
 * at 16 concurrent clients, next to the raw cost of the same crypto measured in this process in the
 * same run (Argon2id verification + two RS256 signatures for a login; two RS256 signatures + an
 * AES-GCM open for a refresh). Run: `npx tsx bench/auth/run.ts [seconds]`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { SignJWT } from 'jose';
import { hashPassword, verifyPassword } from '../../src/auth/passwords/password-hash.ts';
import { openAesGcm, sealAesGcm } from '../../src/crypto/aes-gcm.ts';
import { peakRssMiB, runLoad, type LoadResult } from '../support/load.ts';
import { callCognito, startBenchRegion } from '../support/region-process.ts';

const CONCURRENCY = 16;
const SECONDS = Number(process.argv[2] ?? 10);
const USERS = 32;
const PASSWORD = 'Bench-Passw0rd!';

async function main(): Promise<void> {
  const region = await startBenchRegion();
  try {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'bench' }))).UserPool!.Id!;
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

    const signIn = (username: string) => callCognito(region.url, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD } });
    const refreshTokens: string[] = [];
    for (const username of usernames) refreshTokens.push(String(((await signIn(username)).json.AuthenticationResult as Record<string, unknown>).RefreshToken));

    const login = await runLoad(CONCURRENCY, SECONDS * 1000, async (worker, iteration) => (await signIn(usernames[(worker * 7 + iteration) % USERS]!)).status === 200);
    const refresh = await runLoad(
      CONCURRENCY,
      SECONDS * 1000,
      async (worker, iteration) =>
        (await callCognito(region.url, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: refreshTokens[(worker + iteration) % USERS]! } })).status === 200,
    );
    const rss = await peakRssMiB(region.pid);
    await region.stop();

    // The cost floor, in this process, with the server stopped so it has the machine to itself.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { sub: 'c0ffee00-0000-4000-8000-000000000000', token_use: 'access', scope: 'aws.cognito.signin.user.admin', client_id: clientId, username: 'bench-user-1' };
    const sign = () => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    const hash = await hashPassword(PASSWORD);
    const loginFloor = await runLoad(CONCURRENCY, SECONDS * 1000, async () => (await verifyPassword(hash, PASSWORD)) && Boolean(await sign()) && Boolean(await sign()));
    const tokenKey = randomBytes(32);
    const sealed = sealAesGcm(tokenKey, Buffer.from(JSON.stringify({ userId: 'x'.repeat(32), clientId, sessionId: 'y'.repeat(36), authTime: 1, scope: 's', expiresAt: 2 })), Buffer.from('aad'));
    const refreshFloor = await runLoad(CONCURRENCY, SECONDS * 1000, async () => Boolean(openAesGcm(tokenKey, sealed, Buffer.from('aad'))) && Boolean(await sign()) && Boolean(await sign()));

    report({ login, refresh, loginFloor, refreshFloor, rss });
  } catch (error) {
    await region.stop().catch(() => undefined);
    throw error;
  }
}

function report(results: { login: LoadResult; refresh: LoadResult; loginFloor: LoadResult; refreshFloor: LoadResult; rss: number }): void {
  const row = (name: string, result: LoadResult, floor: LoadResult) =>
    `| ${name} | ${result.perSecond.toFixed(0)}/s | ${result.p50Ms.toFixed(1)} ms | ${result.p99Ms.toFixed(1)} ms | ${result.errors} | ${floor.perSecond.toFixed(0)}/s | ${((100 * result.perSecond) / floor.perSecond).toFixed(0)}% |`;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase`);
  console.log('| operation | throughput | p50 | p99 | errors | crypto floor | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row('InitiateAuth USER_PASSWORD_AUTH', results.login, results.loginFloor));
  console.log(row('InitiateAuth REFRESH_TOKEN_AUTH', results.refresh, results.refreshFloor));
  console.log(`server peak RSS: ${results.rss.toFixed(0)} MiB`);
}

await main();
