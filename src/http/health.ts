import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from './deps.js';

export function registerHealthRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  app.get('/healthz', async (_request, reply) => {
    const index = deps.providers.current();
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', providers: index.size, domains: index.domainCount };
  });
}
