import type { FastifyInstance } from 'fastify';
import { createSignerFromConfig, type AppConfig } from './config.js';
import { systemDnsServers } from './discovery/dns.js';
import { DiscoveryResolver } from './discovery/resolver.js';
import { buildServer } from './http/server.js';
import { DatabaseResolver } from './providers/resolver.js';
import { LiveProviderStore, type ProviderStore } from './providers/store.js';
import type { SettingsResolver } from './settings/resolver.js';

export interface Service {
  app: FastifyInstance;
  store: LiveProviderStore;
}

/**
 * The one place that turns the configuration into a resolver, for the service and `mailconfig lookup` alike: live
 * discovery behind the database, or the database alone when MAILCONFIG_DISCOVERY=off.
 */
export function buildResolver(config: Pick<AppConfig, 'discovery'>, store: ProviderStore): SettingsResolver {
  const discovery = config.discovery;
  if (!discovery.enabled) return new DatabaseResolver(store);
  return new DiscoveryResolver(store, {
    dnsServers: discovery.dnsServers ?? systemDnsServers(),
    allowNetworks: discovery.allowNetworks,
    lookupTimeoutMs: discovery.lookupTimeoutMs,
    autoconfigHttp: discovery.autoconfigHttp,
  });
}

/** Loads the provider database, builds the app and starts listening. Invalid files are skipped with one log line each. */
export async function startService(config: AppConfig, logger: boolean | Record<string, unknown> = { level: process.env.LOG_LEVEL ?? 'info' }): Promise<Service> {
  // First: a signing key that does not fit is a configuration error, found before anything is opened.
  const signer = createSignerFromConfig(config);
  // Live: admin writes and hand edits of the directory are served at once (see src/providers/store.ts).
  const store = await LiveProviderStore.open(config.providersDir);
  const index = store.current();
  const problems = store.initialProblems;
  const app = await buildServer({ config, providers: store, resolver: buildResolver(config, store), signer }, { logger });
  for (const problem of problems.filter((p) => p.severity === 'error')) {
    app.log.warn({ file: problem.file, line: problem.line }, `provider file skipped: ${problem.file}:${problem.line}: ${problem.message}`);
  }
  app.log.info({ providers: index.size, domains: index.domainCount, dir: config.providersDir }, 'provider database loaded');
  store.watch(app.log);
  app.addHook('onClose', () => store.close());
  await app.listen({ port: config.port, host: config.host });
  return { app, store };
}
