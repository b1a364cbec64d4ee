import { accessSync, constants } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ReadinessCheck, ServiceDeps } from './deps.js';

export type { ReadinessCheck } from './deps.js';


/** What every service needs before it takes traffic; the service adds its own (the HTTPS certificate, Redis). */
function baseChecks(deps: ServiceDeps): ReadinessCheck[] {
  return [
    {
      name: 'providers',
      check: () => (deps.providers.current().size > 0 ? undefined : 'the provider database is empty (no valid provider file was loaded)'),
    },
    {
      name: 'provider-directory',
      check: () => {
        try {
          accessSync(deps.config.providersDir, constants.R_OK | constants.X_OK);
          return undefined;
        } catch (error) {
          return `the provider directory cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
        }
      },
    },
  ];
}

/**
 * `/healthz`: liveness (the process answers; the counts are for people). `/readyz`: readiness for a load balancer,
 * 200 when every check is met, 503 naming the checks that are not.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  // Which worker answered (serve --workers N): load balancer checks and tests can tell them apart.
  const worker = () => (deps.role && deps.role.workers > 1 ? { worker: deps.role.worker } : {});
  app.get('/healthz', async (_request, reply) => {
    const index = deps.providers.current();
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', providers: index.size, domains: index.domainCount, ...worker() };
  });
  const checks = [...baseChecks(deps), ...(deps.readiness ?? [])];
  app.get('/readyz', async (_request, reply) => {
    const failing = checks.flatMap((c) => {
      const reason = c.check();
      return reason === undefined ? [] : [{ check: c.name, reason }];
    });
    void reply.header('cache-control', 'no-store').code(failing.length === 0 ? 200 : 503);
    return failing.length === 0 ? { status: 'ready', checks: checks.map((c) => c.name), ...worker() } : { status: 'not ready', failing, ...worker() };
  });
}
