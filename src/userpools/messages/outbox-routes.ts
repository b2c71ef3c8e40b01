import type { FastifyInstance, FastifyReply } from 'fastify';
import { PoolMissing } from '../../store/store.ts';
import { ServiceError } from '../../wire/service-error.ts';
import { signedQueryOf, verifySignature, type CredentialLookup } from '../../wire/sigv4-verifier.ts';
import { loadPool } from '../pools/pool-directory.ts';
import type { UserPoolServices } from '../services.ts';
import { userPoolIdShape } from '../shared/input-shapes.ts';
import { findUser } from '../users/user-directory.ts';
import type { PoolOutbox } from './pool-outbox.ts';

export const OUTBOX_PATH = '/admin/outbox';

/**
 * `GET /admin/outbox?poolId=...[&username=...]`: the pool's kept messages as a JSON array of
 * {poolId, username, channel, destination, purpose, code, at}. They hold live codes, so the
 * request must carry the admin's SigV4 signature (service `cognito-idp`, as for the admin API);
 * anything else is 403. `username` may be any of Cognito's forms (username, alias, sub).
 */
export function registerOutboxRoutes(app: FastifyInstance, options: { outbox: PoolOutbox; services: UserPoolServices; credentials: CredentialLookup; region: string }): void {
  app.get(OUTBOX_PATH, async (request, reply) => {
    const [path, query = ''] = request.url.split('?', 2) as [string, string?];
    const parameters = Object.fromEntries(new URLSearchParams(query));
    try {
      await verifySignature({ method: request.method, path, query: signedQueryOf(query), headers: request.headers, body: Buffer.alloc(0) }, options.credentials, 'cognito-idp', {
        // Regions of one deployment may share the admin key: a signature for one is not one for another.
        region: options.region,
      });
    } catch (error) {
      if (error instanceof ServiceError) return sendJson(reply, 403, { __type: error.type, message: error.message });
      throw error;
    }

    const poolId = parameters.poolId;
    if (!poolId || !userPoolIdShape.safeParse(poolId).success) {
      return sendJson(reply, 400, { __type: 'InvalidParameterException', message: 'poolId is required and must be a user pool id.' });
    }
    const missing = () => sendJson(reply, 404, { __type: 'ResourceNotFoundException', message: `User pool ${poolId} does not exist.` });
    if (!(await options.services.vault.exists(poolId))) return missing();
    try {
      const username = parameters.username ? await storedUsername(options.services, poolId, parameters.username) : undefined;
      return sendJson(reply, 200, await options.outbox.read({ poolId, ...(username !== undefined ? { username } : {}) }));
    } catch (error) {
      if (error instanceof PoolMissing) return missing();
      throw error;
    }
  });
}

/** Messages are kept under the stored username (a UUID in email/phone pools); resolve what was given. */
async function storedUsername(services: UserPoolServices, poolId: string, given: string): Promise<string> {
  const user = await services.vault.read(poolId, async (records) => findUser(records, await loadPool(records), given));
  return user?.username ?? given;
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('application/json').send(JSON.stringify(body));
}
