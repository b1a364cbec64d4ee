import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from './deps.js';

export function registerHealthRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  app.get('/healthz', async (_request, reply) => {
    const index = deps.providers.current();
    void reply.header('cache-control', 'no-store');
    // Which worker answered (serve --workers N): load balancer checks and tests can tell them apart.
    const worker = deps.role && deps.role.workers > 1 ? { worker: deps.role.worker } : {};
    return { status: 'ok', providers: index.size, domains: index.domainCount, ...worker };
  });
}
