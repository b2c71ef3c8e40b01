/**
 * bench/kms: GenerateDataKey and Decrypt through `@aws-sdk/client-kms` against a real region
 * process at 16 concurrent clients, next to the raw cost of the same cryptography measured in this
 * process in the same run (per data key: 32 random bytes, HKDF-SHA256 and an AES-256-GCM seal; per
 * Decrypt: HKDF-SHA256 and an AES-256-GCM open), and to bare AES-256-GCM on 32 bytes.
 * Every KMS call also evaluates the key policy and writes an audit event (group-committed,
 * synchronous=FULL). The in-process rows run the same KeyService without HTTP, SigV4 and the SDK
 * (what user pools pay through KmsKeyProvider). Run: `npx tsx bench/kms/run.ts [seconds]`.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { openAesGcm, sealAesGcm } from '../../src/crypto/aes-gcm.ts';
import { KeyService } from '../../src/kms/key-service.ts';
import { createKmsStore } from '../../src/store/kms/create-kms-store.ts';
import { peakRssMiB, runLoad, type LoadResult } from '../support/load.ts';
import { BENCH_ADMIN, startBenchRegion } from '../support/region-process.ts';

const CONCURRENCY = 16;
const SECONDS = Number(process.argv[2] ?? 10);
const CONTEXT = { userPoolId: 'us-east-1_bench' };

async function main(): Promise<void> {
  const region = await startBenchRegion();
  const kms = new KMSClient({ region: 'us-east-1', endpoint: region.url, credentials: BENCH_ADMIN, maxAttempts: 1 });
  try {
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata!.Arn!;
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 64; i += 1) blobs.push((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }))).CiphertextBlob!);

    const generate = await runLoad(CONCURRENCY, SECONDS * 1000, async () =>
      Boolean((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }))).Plaintext),
    );
    const decrypt = await runLoad(CONCURRENCY, SECONDS * 1000, async (worker, iteration) =>
      Boolean((await kms.send(new DecryptCommand({ CiphertextBlob: blobs[(worker * 7 + iteration) % blobs.length]!, EncryptionContext: CONTEXT }))).Plaintext),
    );
    // The cost of an admin call with no KMS work (SDK signing, HTTP, SigV4 verification, one store read).
    const baseline = await runLoad(CONCURRENCY, SECONDS * 1000, async () => Boolean(await region.cognito.send(new ListUserPoolsCommand({ MaxResults: 1 }))));
    const rss = await peakRssMiB(region.pid);
    kms.destroy();
    await region.stop();

    // The floor, in this process, with the server stopped so it has the machine to itself.
    const material = randomBytes(32);
    const aad = Buffer.from(JSON.stringify([['userPoolId', CONTEXT.userPoolId]]));
    const messageKey = (salt: Buffer) => Buffer.from(hkdfSync('sha256', material, salt, 'meridian/kms-ciphertext/v1', 32));
    const salt = randomBytes(16);
    const sealed = sealAesGcm(messageKey(salt), randomBytes(32), aad);
    const generateFloor = await runLoad(CONCURRENCY, SECONDS * 1000, async () => {
      const fresh = randomBytes(16);
      return sealAesGcm(messageKey(fresh), randomBytes(32), aad).length > 0;
    });
    const decryptFloor = await runLoad(CONCURRENCY, SECONDS * 1000, async () => openAesGcm(messageKey(salt), sealed, aad).length === 32);
    const inProcess = await measureInProcess();
    const bareKey = randomBytes(32);
    const bareSealed = sealAesGcm(bareKey, randomBytes(32), aad);
    const bareAesGcm = await runLoad(CONCURRENCY, SECONDS * 1000, async () => openAesGcm(bareKey, bareSealed, aad).length === 32);

    report({ generate, decrypt, baseline, generateFloor, decryptFloor, bareAesGcm, rss, ...inProcess });
  } catch (error) {
    kms.destroy();
    await region.stop().catch(() => undefined);
    throw error;
  }
}

/** The key service itself, in this process: policy evaluation, store reads, crypto and audit writes. */
async function measureInProcess(): Promise<{ generateInProcess: LoadResult; decryptInProcess: LoadResult }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-kms-'));
  const store = await createKmsStore({ dataDir, region: 'us-east-1' });
  try {
    const keys = new KeyService({ region: 'us-east-1', accountId: '000000000000', store, rootKey: randomBytes(32) });
    const client = keys.asPrincipal({ arn: 'arn:aws:iam::000000000000:root' });
    const keyId = (await client.createKey({})).KeyMetadata.Arn;
    const blob = (await client.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT })).CiphertextBlob;
    const generateInProcess = await runLoad(CONCURRENCY, SECONDS * 1000, async () => Boolean((await client.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT })).Plaintext));
    const decryptInProcess = await runLoad(CONCURRENCY, SECONDS * 1000, async () => Boolean((await client.decrypt({ CiphertextBlob: blob, EncryptionContext: CONTEXT })).Plaintext));
    await keys.flushAudit();
    return { generateInProcess, decryptInProcess };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: {
  generate: LoadResult;
  decrypt: LoadResult;
  baseline: LoadResult;
  generateFloor: LoadResult;
  decryptFloor: LoadResult;
  bareAesGcm: LoadResult;
  generateInProcess: LoadResult;
  decryptInProcess: LoadResult;
  rss: number;
}): void {
  const row = (name: string, result: LoadResult, floor: LoadResult) =>
    `| ${name} | ${result.perSecond.toFixed(0)}/s | ${result.p50Ms.toFixed(2)} ms | ${result.p99Ms.toFixed(2)} ms | ${result.errors} | ${floor.perSecond.toFixed(0)}/s | ${((100 * result.perSecond) / floor.perSecond).toFixed(1)}% |`;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase`);
  console.log('| operation (SDK over HTTP) | throughput | p50 | p99 | errors | crypto floor (in-process) | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row('GenerateDataKey AES_256', results.generate, results.generateFloor));
  console.log(row('Decrypt (32-byte data key)', results.decrypt, results.decryptFloor));
  console.log(row('GenerateDataKey, in-process client', results.generateInProcess, results.generateFloor));
  console.log(row('Decrypt, in-process client', results.decryptInProcess, results.decryptFloor));
  console.log(`baseline, Cognito ListUserPools over the SDK (no KMS work): ${results.baseline.perSecond.toFixed(0)}/s, p50 ${results.baseline.p50Ms.toFixed(2)} ms`);
  console.log(`bare AES-256-GCM open of 32 bytes, in-process: ${results.bareAesGcm.perSecond.toFixed(0)}/s`);
  console.log(`server peak RSS: ${results.rss.toFixed(0)} MiB`);
}

await main();
