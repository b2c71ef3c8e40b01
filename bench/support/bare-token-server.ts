/**
 * The stack's own floor for bench/oauth: a bare Fastify token route that does what a
 * client_credentials grant cannot avoid (parse the form, sign the same claims with the server's
 * `signRs256Jwt`, answer the same JSON with the same headers) and nothing of Meridian's (no pool,
 * client, scope or store). Run as its own process, with libuv's thread pool sized as `meridian
 * serve` sizes it, so that "Meridian's grant against this route" measures Meridian's own work.
 * Usage: `node --import tsx bench/support/bare-token-server.ts <port> <client id> <issuer>`; prints
 * `listening`.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { signRs256Jwt } from '../../src/auth/tokens/compact-jws.ts';
import { m2mAccessClaims } from './m2m-claims.ts';

const [port, clientId, issuer] = process.argv.slice(2) as [string, string, string];
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const app = Fastify();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/oauth2/token', async (request, reply) => {
  const form = new URLSearchParams(String(request.body));
  const accessToken = await signRs256Jwt(privateKey, kid, m2mAccessClaims(clientId, String(form.get('scope')), issuer));
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ access_token: accessToken, expires_in: 3600, token_type: 'Bearer' }));
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log('listening');
