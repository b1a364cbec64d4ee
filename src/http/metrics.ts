import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DiscoveryResolver } from '../discovery/resolver.js';
import type { ServiceDeps } from './deps.js';

interface SharedMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'route'>;
  discoveryErrors: Counter<'step'>;
  bugsWired: boolean;
}

/** The HTTP and HTTPS listeners are two apps on the same deps: they count into one registry, shown on both ports. */
const byDeps = new WeakMap<ServiceDeps, SharedMetrics>();

/** The metrics registry of a service (one per deps object, so tests with several servers do not share counters). */
export function metricsRegistryFor(deps: ServiceDeps): Registry {
  return sharedMetrics(deps).registry;
}

function sharedMetrics(deps: ServiceDeps): SharedMetrics {
  const known = byDeps.get(deps);
  if (known) return known;
  const registry = new Registry();
  // prom-client's default names already say what they are about (process_cpu_user_seconds_total,
  // nodejs_heap_size_used_bytes): the prefix only adds the service's name, not a second "process_".
  collectDefaultMetrics({ register: registry, prefix: 'mailconfig_' });
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
  const discoveryErrors = new Counter({
    name: 'mailconfig_discovery_errors_total',
    help: 'Unexpected errors (bugs) in live discovery, by step; each one is logged with its stack',
    labelNames: ['step'] as const,
    registers: [registry],
  });
  const metrics = { registry, requests, duration, discoveryErrors, bugsWired: false };
  byDeps.set(deps, metrics);
  return metrics;
}

/** Prometheus metrics at /metrics. */
export function registerMetrics(app: FastifyInstance, deps: ServiceDeps): Registry {
  const shared = sharedMetrics(deps);
  const { registry, requests, duration, discoveryErrors } = shared;
  if (deps.resolver instanceof DiscoveryResolver && !shared.bugsWired) {
    // Discovery logs its bugs through the first app's logger, and each one is counted here (once for both listeners).
    shared.bugsWired = true;
    deps.resolver.bugs.useLogger(app.log);
    deps.resolver.bugs.onBug((step) => discoveryErrors.inc({ step }));
    registerDiscoveryMetrics(registry, deps.resolver);
  }
  // Label children are looked up once per route and status: prom-client hashes label sets on every call otherwise.
  const counters = new Map<string, Counter.Internal>();
  const timers = new Map<string, Histogram.Internal<'route'>>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, keeps the label set bounded whatever clients ask.
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let counter = counters.get(key);
    if (!counter) counters.set(key, (counter = requests.labels({ method: request.method, route, status: String(reply.statusCode) })));
    counter.inc();
    let timer = timers.get(route);
    if (!timer) timers.set(route, (timer = duration.labels({ route })));
    timer.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
  return registry;
}

/** Lookups by outcome and duration, cache hits and misses (in-process and Redis), connections open. */
function registerDiscoveryMetrics(registry: Registry, resolver: DiscoveryResolver): void {
  const lookups = new Histogram({
    name: 'mailconfig_discovery_lookup_duration_seconds',
    help: 'Live discovery lookups run by this instance, by outcome (found, nothing, failed); _count is the number of lookups',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers: [registry],
  });
  const byOutcome = { found: lookups.labels({ outcome: 'found' }), nothing: lookups.labels({ outcome: 'nothing' }), failed: lookups.labels({ outcome: 'failed' }) };
  resolver.onLookup = (outcome, seconds) => byOutcome[outcome].observe(seconds);
  new Counter({
    name: 'mailconfig_discovery_cache_total',
    help: 'Discovery answers by cache (local: this process; shared: Redis) and result (hit, miss)',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ cache: 'local', result: 'hit' }, resolver.stats.cacheHits);
      this.inc({ cache: 'local', result: 'miss' }, resolver.stats.cacheMisses);
      const shared = resolver.sharedStats;
      if (shared) {
        this.inc({ cache: 'shared', result: 'hit' }, shared.hits);
        this.inc({ cache: 'shared', result: 'miss' }, shared.misses);
      }
    },
  });
  new Gauge({
    name: 'mailconfig_discovery_connections_open',
    help: 'Probe and fetch connections discovery has open now',
    registers: [registry],
    collect() {
      this.set(resolver.open.connections);
    },
  });
  new Gauge({
    name: 'mailconfig_discovery_lookups_running',
    help: 'Discovery lookups running now',
    registers: [registry],
    collect() {
      this.set(resolver.open.lookups);
    },
  });
}
