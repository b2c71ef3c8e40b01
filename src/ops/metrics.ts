import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * `/metrics` in the Prometheus text format: the process's own metrics plus whatever the region's
 * parts register in its registry (replication progress and lag). One registry per region, not
 * prom-client's global one, so several regions in one process (tests) do not mix their series.
 * No labels carry personal data: pool ids and region names only.
 */
export function createMetricsRegistry(region: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ region });
  collectDefaultMetrics({ register: registry, prefix: 'meridian_' });
  return registry;
}

export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics()));
}
