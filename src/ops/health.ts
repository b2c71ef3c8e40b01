import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.ts';

/**
 * `/health`: liveness plus a store round trip, for load balancers and failover routing. Answers
 * 503 when the store does not respond, so a router stops sending traffic to a broken region.
 */
export function registerHealthRoutes(app: FastifyInstance, region: { region: string; store: Store }): void {
  app.get('/health', async (_request, reply) => {
    try {
      await region.store.listPools(null, 1);
      return reply.send({ status: 'ok', region: region.region });
    } catch {
      return reply.status(503).send({ status: 'unavailable', region: region.region });
    }
  });
}
