/**
 * The stack's own floor for bench/oauth: a bare Fastify token route that does what a
 * client_credentials grant cannot avoid (parse the form, sign the same claims with the server's
 * `signRs256Jwt`, answer the same JSON with the same headers) and nothing of Meridian's (no pool,
 * client, scope or store). Run as its own process, with libuv's thread pool sized as `meridian
 * serve` sizes it, so that "Meridian's grant against this route" measures Meridian's own work.
 * Usage: `node --import tsx bench/support/bare-token-server.ts <port>`; prints `listening`.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { signRs256Jwt } from '../../src/auth/tokens/compact-jws.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const app = Fastify();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/oauth2/token', async (request, reply) => {
  const form = new URLSearchParams(String(request.body));
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signRs256Jwt(privateKey, kid, {
    sub: 'bench-client',
    token_use: 'access',
    scope: form.get('scope'),
    auth_time: now,
    jti: randomUUID(),
    client_id: 'bench-client',
    version: 2,
    iss: 'http://127.0.0.1/us-east-1_bench',
    iat: now,
    exp: now + 3600,
  });
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ access_token: accessToken, expires_in: 3600, token_type: 'Bearer' }));
});
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
console.log('listening');
