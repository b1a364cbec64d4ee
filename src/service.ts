import type { FastifyInstance } from 'fastify';
import { createSignerFromConfig, type AppConfig } from './config.js';
import { systemDnsServers } from './discovery/dns.js';
import { DiscoveryResolver } from './discovery/resolver.js';
import { buildServer } from './http/server.js';
import { DatabaseResolver } from './providers/resolver.js';
import { LiveProviderStore, type ProviderStore } from './providers/store.js';
import { MailconfigError } from './settings/errors.js';
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

/** Why the service cannot start (a port taken, an address not ours, a provider directory that cannot be read): one line. */
export class StartupError extends MailconfigError {
  constructor(code: 'MAILCONFIG_LISTEN_FAILED' | 'MAILCONFIG_PROVIDERS_UNREADABLE', message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Loads the provider database, builds the app and starts listening. Invalid files are skipped with one log line each. */
export async function startService(config: AppConfig, logger: boolean | Record<string, unknown> = { level: config.logLevel }): Promise<Service> {
  // First: a signing key that does not fit is a configuration error, found before anything is opened.
  const signer = createSignerFromConfig(config);
  // Live: admin writes and hand edits of the directory are served at once (see src/providers/store.ts).
  const store = await openStore(config.providersDir);
  const index = store.current();
  const problems = store.initialProblems;
  const app = await buildServer({ config, providers: store, resolver: buildResolver(config, store), signer }, { logger });
  for (const problem of problems.filter((p) => p.severity === 'error')) {
    app.log.warn({ file: problem.file, line: problem.line }, `provider file skipped: ${problem.file}:${problem.line}: ${problem.message}`);
  }
  app.log.info({ providers: index.size, domains: index.domainCount, dir: config.providersDir }, 'provider database loaded');
  store.watch(app.log);
  app.addHook('onClose', () => store.close());
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw listenError(error, config);
  }
  return { app, store };
}

async function openStore(dir: string): Promise<LiveProviderStore> {
  try {
    return await LiveProviderStore.open(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The directory was checked by loadConfig; gone or unreadable since (or a config built in code): a start-up fault.
    if (typeof code !== 'string') throw error;
    throw new StartupError('MAILCONFIG_PROVIDERS_UNREADABLE', `the provider directory ${dir} (MAILCONFIG_PROVIDERS) cannot be read: ${code}`, { cause: error });
  }
}

const LISTEN_REASONS: Record<string, (config: AppConfig) => string> = {
  EADDRINUSE: (c) => `port ${c.port} is already in use (PORT=${c.port}; another process listens there)`,
  EACCES: (c) => `port ${c.port} needs privileges (PORT=${c.port}; ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
  EADDRNOTAVAIL: (c) => `${c.host} is not an address of this machine (HOST=${c.host})`,
  EAFNOSUPPORT: (c) => `this machine has no IPv6 for HOST=${c.host}`,
};

/** A listen failure as one line naming the variable at fault; anything that is not a system error stays a bug. */
export function listenError(error: unknown, config: AppConfig): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const reason = LISTEN_REASONS[code]?.(config) ?? `${code} (HOST=${config.host}, PORT=${config.port})`;
  return new StartupError('MAILCONFIG_LISTEN_FAILED', `cannot listen on ${config.host}:${config.port}: ${reason}`, { cause: error });
}
