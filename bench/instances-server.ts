// Child process of bench/instances.ts: the real service alone (one instance, or two on one Redis when
// BENCH_REDIS_URL is set), discovering on the simulated network the parent runs; its RSS is the service's own.
// BENCH_NETWORK (JSON): the fake DNS, the test CA and where each standard port of an address really listens.
// Messages: 'rss' -> memory figures (after a GC), 'stop'.
import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { DiscoveryResolver } from '../src/discovery/resolver.js';
import { SharedDiscoveryCache } from '../src/discovery/shared-cache.js';
import { buildServer } from '../src/http/server.js';
import { openProviderDatabase } from '../src/providers/database.js';
import { StaticProviderStore } from '../src/providers/store.js';
import { SharedState } from '../src/redis/shared-state.js';

export interface BenchNetwork {
  dns: { address: string; port: number };
  allowNetworks: string[];
  ca: string;
  ports: Record<string, number>;
}

const network = JSON.parse(process.env.BENCH_NETWORK ?? '{}') as BenchNetwork;
const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY_RATE_LIMIT: '0', MAILCONFIG_TRUST_PROXY: 'on' }), host: '127.0.0.1', port: 0 };
const { index } = await openProviderDatabase(config.providersDir);
const store = new StaticProviderStore(index);
const redisUrl = process.env.BENCH_REDIS_URL;
const states: SharedState[] = [];

async function instance(): Promise<FastifyInstance> {
  const state = redisUrl ? new SharedState(redisUrl, { info() {}, warn() {} }) : undefined;
  if (state) {
    states.push(state);
    if (!state.available) await once(state.client, 'ready');
  }
  const resolver = new DiscoveryResolver(store, {
    dnsServers: [network.dns],
    allowNetworks: network.allowNetworks,
    lookupTimeoutMs: 8000,
    autoconfigHttp: false,
    ca: [network.ca],
    // Nothing listens on an unmapped standard port (9: refused at once).
    mapPort: (ip, port) => network.ports[`${ip}:${port}`] ?? 9,
    dnsTimeoutMs: 1000,
    fetchTimeoutMs: 2000,
    probeTimeoutMs: 2000,
    shared: state && new SharedDiscoveryCache(state),
    ...(process.env.BENCH_CACHE_ENTRIES ? { cache: { maxEntries: Number(process.env.BENCH_CACHE_ENTRIES) } } : {}),
  });
  const app = await buildServer({ config, providers: store, resolver, shared: state });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

const apps = [await instance(), ...(redisUrl ? [await instance()] : [])];
const port = (app: FastifyInstance) => (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ ports: apps.map(port) })}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message === 'rss') {
    // Settled figures: a full GC, a second of quiet (V8 gives pages back when idle), another GC.
    gc?.();
    setTimeout(() => {
      gc?.();
      const usage = process.memoryUsage();
      process.send?.({ rss: usage.rss, heap: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external });
    }, 1000);
  } else {
    void (async () => {
      for (const app of apps) await app.close();
      for (const state of states) await state.close();
      process.exit(0);
    })();
  }
});
