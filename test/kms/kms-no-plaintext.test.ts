import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, ReEncryptCommand, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startTestRegion, type TestRegion } from '../support/region.ts';
import { dropPostgresSchema, postgresTestUrl, uniquePostgresSchema } from '../support/stores.ts';
import { kmsClient, kmsOfRegion } from './kms-support.ts';

/**
 * The KMS keeps no plaintext key material at rest, and neither data keys nor the plaintexts that
 * went through Encrypt/Decrypt end up in the database (audit log included): the raw database
 * (SQLite file and WAL, or every PostgreSQL table) holds none of them, in raw, hex or base64 form.
 * The key material itself is taken from the service's memory, where the test can see it.
 */
interface Secret {
  label: string;
  bytes: Buffer;
}

async function exercise(region: TestRegion): Promise<{ secrets: Secret[]; keyIds: string[] }> {
  const kms = kmsClient(region);
  try {
    const secrets: Secret[] = [];
    const keyIds: string[] = [];
    for (const MultiRegion of [false, true]) {
      const { KeyId } = (await kms.send(new CreateKeyCommand({ MultiRegion }))).KeyMetadata!;
      keyIds.push(KeyId!);
      const context = { userPoolId: `us-east-1_${randomBytes(4).toString('hex')}` };
      for (let i = 0; i < 3; i += 1) {
        const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }));
        secrets.push({ label: `data key ${i} of ${KeyId}`, bytes: Buffer.from(dataKey.Plaintext!) });
      }
      const text = Buffer.from(`plaintext-wombat-${randomBytes(8).toString('hex')}`);
      secrets.push({ label: 'encrypted plaintext', bytes: text });
      const blob = (await kms.send(new EncryptCommand({ KeyId, Plaintext: text, EncryptionContext: context }))).CiphertextBlob!;
      await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
      await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
      await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: KeyId, DestinationEncryptionContext: context }));
      // Each material version, from the service's own memory.
      const keys = kmsOfRegion(region).keys;
      for (const version of [1, 2]) {
        const material = keys.core.materials.cached(KeyId!, version) ?? (await keys.core.materials.unwrap((await keys.core.store.getMaterial(KeyId!, version))!));
        secrets.push({ label: `key material v${version} of ${KeyId}`, bytes: material });
      }
    }
    await kmsOfRegion(region).keys.flushAudit();
    const rootKeyText = readFileSync(join(region.dataDir, 'root.key'), 'utf8').trim();
    secrets.push({ label: 'root key', bytes: Buffer.from(rootKeyText, 'base64') }, { label: 'root key file', bytes: Buffer.from(rootKeyText) });
    return { secrets, keyIds };
  } finally {
    kms.destroy();
  }
}

function forms(secret: Secret): Array<{ label: string; bytes: Buffer }> {
  const encoded: Array<[string, string]> = [
    ['hex', secret.bytes.toString('hex')],
    ['HEX', secret.bytes.toString('hex').toUpperCase()],
  ];
  // Base64 characters that depend only on the secret, for each alignment inside a longer buffer.
  for (let offset = 0; offset < 3; offset += 1) {
    const text = Buffer.concat([Buffer.alloc(offset), secret.bytes]).toString('base64');
    const core = text.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + secret.bytes.length) - 6) / 6) + 1);
    encoded.push([`base64@${offset}`, core], [`base64url@${offset}`, core.replace(/\+/g, '-').replace(/\//g, '_')]);
  }
  return [{ label: `${secret.label} raw`, bytes: secret.bytes }, ...encoded.map(([name, text]) => ({ label: `${secret.label} ${name}`, bytes: Buffer.from(text) }))];
}

function findings(haystacks: Array<{ source: string; bytes: Buffer }>, secrets: Secret[]): string[] {
  const found: string[] = [];
  for (const { source, bytes } of haystacks) for (const needle of secrets.flatMap(forms)) if (bytes.includes(needle.bytes)) found.push(`${needle.label} in ${source}`);
  return found;
}

function cellBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.concat([Buffer.from(value), Buffer.from(`\n${Buffer.from(value).toString('hex')}\n`)]);
  return Buffer.from(`${String(value)}\n`);
}

describe('no plaintext key material or data at rest in the KMS', () => {
  test('SQLite: database file, WAL and every table', async () => {
    const region = await startTestRegion();
    try {
      const { secrets, keyIds } = await exercise(region);
      const fileNames = () => readdirSync(region.dataDir).filter((name) => /\.db(-wal|-shm)?$/.test(name));
      const haystacks = fileNames().map((name) => ({ source: `${name} (running)`, bytes: readFileSync(join(region.dataDir, name)) }));
      // The pool store's file and the KMS's own file (us-east-1.kms.db), each checkpointed and dumped.
      const databases = readdirSync(region.dataDir).filter((name) => name.endsWith('.db'));
      assert.deepEqual(databases.sort(), ['us-east-1.db', 'us-east-1.kms.db']);
      for (const file of databases) {
        const database = new Database(join(region.dataDir, file));
        try {
          database.pragma('wal_checkpoint(TRUNCATE)');
          for (const { name } of database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>) {
            const rows = database.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
            haystacks.push({ source: `${file} table ${name}`, bytes: Buffer.concat(rows.flatMap((row) => Object.values(row).map(cellBytes))) });
          }
        } finally {
          database.close();
        }
      }
      haystacks.push(...fileNames().map((name) => ({ source: `${name} (after checkpoint)`, bytes: readFileSync(join(region.dataDir, name)) })));
      assert.ok(haystacks.some((haystack) => haystack.bytes.includes(Buffer.from(keyIds[0]!))), 'the dump holds the keys');
      assert.ok(secrets.filter((secret) => secret.label.startsWith('key material')).length === 4);
      const found = findings(haystacks, secrets);
      assert.deepEqual(found, [], `plaintext at rest:\n${found.join('\n')}`);
    } finally {
      await region.stop();
    }
  });

  describe('PostgreSQL', () => {
    const schema = uniquePostgresSchema();
    after(async () => {
      await dropPostgresSchema(schema);
    });

    test('every table of the schema', async () => {
      const region = await startTestRegion({ databaseUrl: postgresTestUrl(schema) });
      try {
        const { secrets, keyIds } = await exercise(region);
        const url = new URL(postgresTestUrl(schema));
        url.searchParams.delete('schema');
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        const haystacks: Array<{ source: string; bytes: Buffer }> = [];
        try {
          const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", [schema]);
          assert.ok(tables.rows.some((row) => row.table_name === 'kms_key_materials'));
          for (const { table_name: table } of tables.rows) {
            const qualified = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)}`;
            const asText = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${qualified} t`);
            const asValues = await client.query<Record<string, unknown>>(`SELECT * FROM ${qualified}`);
            haystacks.push({ source: `table ${table}`, bytes: Buffer.concat([Buffer.from(asText.rows.map((row) => row.row).join('\n')), ...asValues.rows.flatMap((row) => Object.values(row).map(cellBytes))]) });
          }
        } finally {
          await client.end();
        }
        assert.ok(haystacks.some((haystack) => haystack.bytes.includes(Buffer.from(keyIds[1]!))), 'the dump holds the keys');
        const found = findings(haystacks, secrets);
        assert.deepEqual(found, [], `plaintext at rest:\n${found.join('\n')}`);
      } finally {
        await region.stop();
      }
    });
  });
});
