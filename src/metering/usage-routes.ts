import type { FastifyInstance, FastifyReply } from 'fastify';
import { InvalidParameterException } from '../userpools/errors.ts';
import { poolNotFound } from '../userpools/pools/pool-directory.ts';
import type { UserPoolServices } from '../userpools/services.ts';
import { userPoolIdShape } from '../userpools/shared/input-shapes.ts';
import { ServiceError } from '../wire/service-error.ts';
import { signedQueryOf, verifySignature, type CredentialLookup } from '../wire/sigv4-verifier.ts';

/** The SigV4 signing name of the usage endpoint: the admin credentials' Cognito scope. */
export const USAGE_SIGNING_NAME = 'cognito-idp';

/**
 * `GET /admin/usage?poolId=<id>[&period=YYYY-MM]`: the M2M token counts of a pool in this region,
 * per app client, for a month (default: this one). Signed with SigV4 (service `cognito-idp`) by
 * the region's admin credentials, like the Cognito admin actions and /admin/outbox (403 without a
 * valid signature); errors in the AWS JSON shape `{"__type", "message"}`.
 *
 * Answer: `{ Region, UserPoolId, Period, M2MTokens: { Total, Clients: [{ ClientId, Tokens }] } }`.
 */
export function registerUsageRoutes(app: FastifyInstance, services: UserPoolServices, credentials: CredentialLookup): void {
  app.addHook('onClose', async () => {
    await services.usage.close();
  });

  app.get('/admin/usage', async (request, reply) => {
    try {
      const [path, query = ''] = request.url.split('?', 2) as [string, string?];
      const parameters = new URLSearchParams(query);
      try {
        await verifySignature({ method: request.method, path, query: signedQueryOf(query), headers: request.headers, body: Buffer.alloc(0) }, credentials, USAGE_SIGNING_NAME, {
          region: services.region,
        });
      } catch (error) {
        // As /admin/outbox: a request without the admin's valid signature is forbidden.
        if (error instanceof ServiceError) return sendAwsError(reply, error, 403);
        throw error;
      }
      const poolId = userPoolIdShape.safeParse(parameters.get('poolId'));
      if (!poolId.success) throw new InvalidParameterException('poolId is required and must be a user pool id.');
      const period = parameters.get('period') ?? undefined;
      if (period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new InvalidParameterException('period must be YYYY-MM.');
      // A REST resource of ours, not the Cognito wire (which answers 400): a missing pool is 404.
      if (!(await services.vault.exists(poolId.data))) return sendAwsError(reply, poolNotFound(poolId.data), 404);
      const usage = await services.usage.m2mTokens(poolId.data, period);
      return reply.send({
        Region: usage.region,
        UserPoolId: usage.poolId,
        Period: usage.period,
        M2MTokens: { Total: usage.total, Clients: usage.clients.map((client) => ({ ClientId: client.clientId, Tokens: client.tokens })) },
      });
    } catch (error) {
      if (error instanceof ServiceError) return sendAwsError(reply, error);
      throw error;
    }
  });
}

function sendAwsError(reply: FastifyReply, error: ServiceError, status = error.statusCode): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').header('x-amzn-errortype', error.type).send({ __type: error.type, message: error.message });
}
