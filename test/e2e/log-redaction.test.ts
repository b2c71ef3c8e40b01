import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRegionProcess } from '../support/region-process.ts';

const SECRET = 'Sentinel-Secret-4f1c';

/** Writes raw bytes to the server and resolves with whatever it answers before closing. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('requests Node or Fastify refuse: logged without their bytes even at trace level, answered in the region\'s own shape', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-log-redaction-'));
  const region = await startRegionProcess({ dataDir, logLevel: 'trace' });
  try {
    const basic = Buffer.from(`client:${SECRET}`).toString('base64');
    const body = `grant_type=password&password=${SECRET}`;
    // A header line without a colon: Node's parser refuses the request and attaches its bytes to the error.
    const answer = await rawRequest(
      region.port,
      `POST /p/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${basic}\r\nThis line is not a header\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.ok(answer.endsWith('{"error":"invalid_request","message":"The request could not be read."}'), answer);
    // A URL that does not decode gets the region's short error, not Fastify's (its codes, the path).
    const badUrl = await fetch(`${region.url}/p/oauth2/token%zz`);
    assert.equal(badUrl.status, 400);
    assert.deepEqual(await badUrl.json(), { error: 'invalid_request', message: 'The request could not be read.' });
    await region.stop();
    const output = region.output();
    assert.match(output, /client error/, 'the refused request was logged');
    assert.ok(!output.includes(SECRET) && !output.includes(basic), 'neither the password nor the Authorization header reached the log');
    // pino writes a Buffer as its byte values: look for the request's bytes in that form too.
    assert.ok(!output.includes('rawPacket'), 'the error is logged without the request bytes Node attached to it');
    const secretBytes = [...Buffer.from(SECRET)].join(',');
    assert.ok(!output.includes(secretBytes), 'not even as byte values');
  } finally {
    await region.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
