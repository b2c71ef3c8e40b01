/**
 * bench/oauth: client_credentials grants (POST <prefix>/oauth2/token with HTTP Basic) through a real
 * `meridian serve` process at 16 concurrent clients, next to the raw RS256 signing rate measured
 * in this process in the same run, taking turns with the grants while the server idles (one
 * grant = one RS256 signature plus client authentication, a scope lookup and HTTP), and next to a
 * bare Fastify route that only parses the form and signs (the stack's own floor, in the same
 * turns). Also prints CPU time per operation (server process for grants, this process for
 * signatures), which shared or loaded machines distort less than throughput. Run:
 * `npx tsx bench/oauth/run.ts [seconds]` (PostgreSQL: set MERIDIAN_BENCH_DATABASE, as for
 * bench/auth).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { CreateResourceServerCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { signRs256Jwt } from '../../src/auth/tokens/compact-jws.ts';
import { interleaved, peakRssMiB, roundsFor, type LoadResult } from '../support/load.ts';
import { prepareRequest, send } from '../support/http-client.ts';
import { m2mAccessClaims } from '../support/m2m-claims.ts';
import { BENCH_DATABASE, BENCH_WORKERS, startBareTokenServer, startBenchRegion } from '../support/region-process.ts';

const CONCURRENCY = 16;
const SECONDS = Number(process.argv[2] ?? 10);
const DOMAIN_PREFIX = 'bench-m2m';

async function main(): Promise<void> {
  const region = await startBenchRegion();
  try {
    const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'bench-oauth' }))).UserPool!.Id!;
    await region.cognito.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'orders',
        Name: 'Orders',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'Read' },
          { ScopeName: 'write', ScopeDescription: 'Write' },
        ],
      }),
    );
    await region.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: DOMAIN_PREFIX }));
    const client = (
      await region.cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'bench-m2m',
          GenerateSecret: true,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['orders/read', 'orders/write'],
        }),
      )
    ).UserPoolClient!;
    const tokenUrl = `${region.url}/${DOMAIN_PREFIX}/oauth2/token`;
    const authorization = `Basic ${Buffer.from(`${client.ClientId}:${client.ClientSecret}`).toString('base64')}`;
    const grantRequest = prepareRequest(tokenUrl, { authorization, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials&scope=orders%2Fread');
    const tokenMark = Buffer.from('"access_token":"');
    const grant = async () => {
      const response = await send(grantRequest);
      // A look for the token in the bytes, not a parse: this process's CPU is taken from the server's.
      return response.status === 200 && response.contains(tokenMark);
    };
    if (!(await grant())) throw new Error('the token endpoint did not issue a token');

    // The floor: the one RS256 signature of a grant, same claims, same signing call as the server
    // (node:crypto in the thread pool, the cheapest way to sign here), this machine.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const issuer = `${region.url}/${poolId}`;
    const sign = () => signRs256Jwt(privateKey, kid, m2mAccessClaims(client.ClientId!, 'orders/read', issuer));
    // The stack's own floor: a bare Fastify route doing only what a grant cannot avoid
    // (bench/support/bare-token-server.ts). Grants, the bare route and the floor take turns
    // (bench/support/load.ts `interleaved`); the servers idle outside their own.
    const bare = await startBareTokenServer(client.ClientId!, issuer);
    const bareRequest = prepareRequest(`${bare.url}/oauth2/token`, { authorization, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials&scope=orders%2Fread');
    const measured = await interleaved(CONCURRENCY, SECONDS * 1000, roundsFor(SECONDS), {
      grants: { serverPid: region.pid, request: grant },
      bareRoute: { serverPid: bare.pid, request: async () => (await send(bareRequest)).status === 200 },
      floor: { request: async () => Boolean(await sign()) },
    }).finally(() => bare.stop());
    const { grants, bareRoute, floor } = measured;
    const rss = await peakRssMiB(region.pid);
    await region.stop();

    report(grants, floor, rss, { grant: grants.serverCpuPerOp, mainThread: grants.serverMainCpuPerOp, signature: floor.ownCpuPerOp, client: grants.ownCpuPerOp });
    console.log(
      `bare Fastify token route (the stack's floor): ${bareRoute.perSecond.toFixed(0)}/s, ${((100 * bareRoute.perSecond) / floor.perSecond).toFixed(0)}% of the signing floor, ` +
        `main thread ${bareRoute.serverMainCpuPerOp.toFixed(3)} ms per grant; Meridian's grants: ${((100 * grants.perSecond) / bareRoute.perSecond).toFixed(0)}% of its throughput, ` +
        `+${(grants.serverMainCpuPerOp - bareRoute.serverMainCpuPerOp).toFixed(3)} ms of main thread per grant`,
    );
  } catch (error) {
    await region.stop().catch(() => undefined);
    throw error;
  }
}

function report(grants: LoadResult, floor: LoadResult, rss: number, cpuMs: { grant: number; mainThread: number; signature: number; client: number }): void {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; server: meridian serve --workers ${BENCH_WORKERS}, store ${BENCH_DATABASE ? 'postgres' : 'sqlite'}; ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase in ${roundsFor(SECONDS)} turns interleaved with the floor`);
  console.log('| operation | throughput | p50 | p99 | errors | RS256 signing floor | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| POST /oauth2/token client_credentials | ${grants.perSecond.toFixed(0)}/s | ${grants.p50Ms.toFixed(1)} ms | ${grants.p99Ms.toFixed(1)} ms | ${grants.errors} | ${floor.perSecond.toFixed(0)}/s | ${((100 * grants.perSecond) / floor.perSecond).toFixed(0)}% |`,
  );
  console.log(`CPU per operation: ${cpuMs.grant.toFixed(3)} ms per grant (server, all processes), ${cpuMs.signature.toFixed(3)} ms per RS256 signature (${((100 * cpuMs.signature) / cpuMs.grant).toFixed(0)}% of a grant)`);
  console.log(`server main threads (HTTP, the endpoint's code, JSON): ${cpuMs.mainThread.toFixed(3)} ms per grant; the rest runs in the thread pool`);
  // The bound of the ratio on shared cores: the floor's CPU per signature over everything a grant costs the machine.
  console.log(`CPU bound of the ratio on these shared cores: ${((100 * cpuMs.signature) / (cpuMs.grant + cpuMs.client)).toFixed(0)}%`);
  // With server and load generator sharing the cores, throughput is at most cores / (server + client CPU per grant).
  console.log(`load generator CPU per grant: ${cpuMs.client.toFixed(3)} ms (on the same cores as the server)`);
  console.log(`server peak RSS (sum over primary and workers): ${rss.toFixed(0)} MiB`);
}

await main();
