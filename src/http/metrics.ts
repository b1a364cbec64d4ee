import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServiceDeps } from './server.js';

/** Prometheus metrics at /metrics: one registry per app, so tests with several servers do not share counters. */
export function registerMetrics(app: FastifyInstance, deps: ServiceDeps): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mailconfig_process_' });
  const requests = new Counter({
    name: 'mailconfig_http_requests_total',
    help: 'HTTP requests by route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'mailconfig_http_request_duration_seconds',
    help: 'Time to answer, by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'mailconfig_providers',
    help: 'Providers in the loaded database',
    registers: [registry],
    collect() {
      this.set(deps.providers.current().size);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, keeps the label set bounded whatever clients ask.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
  return registry;
}
