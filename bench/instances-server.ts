// Child process of bench/instances.ts: a simulated network of generated mail domains and the real service on it
// (one instance, or two on one Redis when BENCH_REDIS_URL is set), so the parent measures this process's RSS alone
// while it drives requests. Messages: 'rss' -> { rss } (after a GC when --expose-gc), 'stop'.
import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { SharedDiscoveryCache } from '../src/discovery/shared-cache.js';
import { buildServer } from '../src/http/server.js';
import { openProviderDatabase } from '../src/providers/database.js';
import { StaticProviderStore } from '../src/providers/store.js';
import { SharedState } from '../src/shared-state/redis.js';
import { startWorld } from '../test/helpers/discovery-world.js';

const SERVER = '127.0.3.200';
/**
 * uN.flood.test: an MX record; every tenth domain also has imap./smtp./mail. and its own A record at one server whose
 * certificate names *.flood.test (probed over TLS and found); the others' guessed names do not exist, so their lookup
 * is DNS questions and refused connections to the MX host (nothing listens for it): a flood of mostly dead domains.
 */
const generated = /^(?:(imap|smtp|mail|pop3|pop)\.)?u(\d+)\.flood\.test$/;
const world = await startWorld({ 'mx.flood.test': { A: ['127.0.3.201'] } }, ['flood.test', 'bench.test'], {
  recordQueries: false,
  generate: (name) => {
    const match = generated.exec(name);
    if (!match) return undefined;
    const live = Number(match[2]) % 10 === 0;
    if (match[1]) return live ? { A: [SERVER] } : undefined;
    return live ? { MX: [{ exchange: `mail.${name}`, priority: 10 }], A: [SERVER] } : { MX: [{ exchange: 'mx.flood.test', priority: 10 }] };
  },
});
const tls = { pem: world.pki.valid };
await world.imap(SERVER, 993, { mode: 'tls', ...tls });
await world.imap(SERVER, 143, { mode: 'starttls', ...tls });
await world.smtp(SERVER, 465, { mode: 'tls', ...tls });
await world.smtp(SERVER, 587, { mode: 'starttls', ...tls });

const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY_RATE_LIMIT: '0', MAILCONFIG_TRUST_PROXY: 'on' }), host: '127.0.0.1', port: 0 };
const { index } = await openProviderDatabase(config.providersDir);
const redisUrl = process.env.BENCH_REDIS_URL;
const states: SharedState[] = [];

async function instance(): Promise<FastifyInstance> {
  const state = redisUrl ? new SharedState(redisUrl, { info() {}, warn() {} }) : undefined;
  if (state) {
    states.push(state);
    if (!state.available) await once(state.client, 'ready');
  }
  const resolver = world.resolver({ shared: state && new SharedDiscoveryCache(state), lookupTimeoutMs: 8000 }, [...index.entries()]);
  const app = await buildServer({ config, providers: new StaticProviderStore(index), resolver, shared: state });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

const apps = [await instance(), ...(redisUrl ? [await instance()] : [])];
const port = (app: FastifyInstance) => (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ ports: apps.map(port) })}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message === 'rss') {
    gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
  } else {
    void (async () => {
      for (const app of apps) await app.close();
      for (const state of states) await state.close();
      await world.close();
      process.exit(0);
    })();
  }
});
