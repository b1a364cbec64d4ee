import type { FastifyInstance } from 'fastify';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createSignerFromConfig, type AppConfig } from './config.js';
import { systemDnsServers } from './discovery/dns.js';
import { DiscoveryResolver } from './discovery/resolver.js';
import { buildServer } from './http/server.js';
import type { ServiceDeps } from './http/deps.js';
import type { ReadinessCheck } from './http/health.js';
import { metricsRegistryFor } from './http/metrics.js';
import { DatabaseResolver } from './providers/resolver.js';
import { LiveProviderStore, type ProviderStore } from './providers/store.js';
import { MailconfigError } from './settings/errors.js';
import type { SettingsResolver } from './settings/resolver.js';
import { ConnectionTracker } from './listeners/limits.js';
import { httpsOptions, prepareHttpsServer } from './listeners/https.js';
import { DefaultCertificate } from './tls/default-certificate.js';
import { CertificateStore } from './tls/store.js';
import type { ProcessRole, TlsExtensions } from './tls/types.js';
import { createAcme, forwardLog, type Acme } from './acme/setup.js';
import { SharedDiscoveryCache } from './discovery/shared-cache.js';
import { SharedState } from './redis/shared-state.js';
import { shareProviderChanges } from './providers/shared-changes.js';
import { logDestination } from './http/log-destination.js';

export interface Service {
  /** The HTTP listener's app (PORT). */
  app: FastifyInstance;
  /** The HTTPS listener's app (MAILCONFIG_HTTPS_PORT), when configured. Same routes, same deps. */
  https?: FastifyInstance | undefined;
  store: LiveProviderStore;
  /** MAILCONFIG_TLS_CERT/_KEY, when configured. */
  defaultCertificate?: DefaultCertificate | undefined;
  /** The ACME engine (MAILCONFIG_ACME_DIRECTORY), when configured: its events tell when a certificate is served. */
  acme?: Acme | undefined;
  /** SIGHUP: the TLS files, the provider directory and the ACME engine's stored certificates are read again. */
  reload(): Promise<void>;
  /**
   * SIGTERM: stop accepting, let requests in flight finish within `timeoutMs`, then end the remaining connections
   * and abort discovery lookups. Resolves when everything is closed; `forced` tells whether the deadline was hit.
   */
  shutdown(timeoutMs: number): Promise<{ forced: boolean }>;
}

/**
 * The one place that turns the configuration into a resolver, for the service and `mailconfig lookup` alike: live
 * discovery behind the database, or the database alone when MAILCONFIG_DISCOVERY=off. `stop`: aborted at shutdown,
 * ending lookups still running.
 */
export function buildResolver(config: Pick<AppConfig, 'discovery'>, store: ProviderStore, stop?: AbortSignal, shared?: SharedState): SettingsResolver {
  const discovery = config.discovery;
  if (!discovery.enabled) return new DatabaseResolver(store);
  return new DiscoveryResolver(store, {
    stop,
    dnsServers: discovery.dnsServers ?? systemDnsServers(),
    allowNetworks: discovery.allowNetworks,
    lookupTimeoutMs: discovery.lookupTimeoutMs,
    autoconfigHttp: discovery.autoconfigHttp,
    mode: discovery.mode,
    shared: shared && new SharedDiscoveryCache(shared),
  });
}

/** Why the service cannot start (a port taken, an address not ours, a provider directory that cannot be read): one line. */
export class StartupError extends MailconfigError {
  constructor(code: 'MAILCONFIG_LISTEN_FAILED' | 'MAILCONFIG_PROVIDERS_UNREADABLE', message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export interface ServiceOptions {
  /** Which process this is (src/process/cluster.ts); a single process by default. */
  role?: ProcessRole | undefined;
  /** Certificate sources, onMissing and challenge answers (tests; the ACME engine is built below otherwise). */
  tls?: TlsExtensions | undefined;
}

export const SINGLE_PROCESS: ProcessRole = { worker: 0, workers: 1, ordersCertificates: true };

/** Loads the provider database, builds the apps and starts listening. Invalid files are skipped with one log line each. */
export async function startService(config: AppConfig, logger: boolean | Record<string, unknown> = { level: config.logLevel, stream: logDestination() }, options: ServiceOptions = {}): Promise<Service> {
  const role = options.role ?? SINGLE_PROCESS;
  // First: a signing key that does not fit is a configuration error, found before anything is opened.
  const signer = createSignerFromConfig(config);
  // Live: admin writes and hand edits of the directory are served at once (see src/providers/store.ts).
  const store = await openStore(config.providersDir);
  const index = store.current();
  const problems = store.initialProblems;
  const stopLookups = new AbortController();
  // Several instances (MAILCONFIG_REDIS_URL): logs through the app's logger, made below; nothing logs before it exists.
  const shared = config.redisUrl ? new SharedState(config.redisUrl, forwardLog(() => app.log)) : undefined;
  // ACME: the engine (src/acme/) plugs in here; it orders certificates only when `role.ordersCertificates`. It logs
  // through the HTTP app's logger, which exists only after buildServer: nothing logs before acme.start() below.
  const acme = !options.tls && config.acme ? createAcme({ config: config.acme, providers: store, role, dnsServers: config.discovery.dnsServers, log: forwardLog(() => app.log), shared }) : undefined;
  const tls: TlsExtensions = options.tls ?? acme?.extensions ?? {};
  // Filled in below, once the listeners exist; /readyz reads it at each request.
  let defaultCertificate: DefaultCertificate | undefined;
  const readiness: ReadinessCheck[] = [];
  if (config.listeners.tlsFiles) readiness.push({ name: 'certificate', check: () => (defaultCertificate ? undefined : 'the HTTPS certificate (MAILCONFIG_TLS_CERT) is not loaded') });
  if (shared) readiness.push({ name: 'redis', check: () => (shared.available ? undefined : 'Redis (MAILCONFIG_REDIS_URL) is not answering') });
  const deps: ServiceDeps = { config, providers: store, resolver: buildResolver(config, store, stopLookups.signal, shared), signer, challenges: tls.challenges, role, readiness, shared };
  let https: FastifyInstance | undefined;
  const httpsPort = () => (https?.server.address() as AddressInfo | null)?.port ?? config.listeners.httpsPort ?? 443;
  const app = await buildServer(deps, { logger, httpsPort });
  for (const problem of problems.filter((p) => p.severity === 'error')) {
    app.log.warn({ file: problem.file, line: problem.line }, `provider file skipped: ${problem.file}:${problem.line}: ${problem.message}`);
  }
  app.log.info({ providers: index.size, domains: index.domainCount, dir: config.providersDir, worker: role.worker || undefined }, 'provider database loaded');
  store.watch(app.log);
  // Admin changes on one instance reach the others through a notice (the directory is shared; see the README).
  const stopSharing = shared ? shareProviderChanges(store, shared, app.log) : () => {};
  app.addHook('onClose', async () => {
    stopSharing();
    await store.close();
    await shared?.close();
  });
  if (acme) {
    for (const metric of acme.manager.metrics()) metricsRegistryFor(deps).registerMetric(metric);
    await acme.start();
  }

  const { listeners } = config;
  const tracker = new ConnectionTracker({ max: listeners.maxConnections, perClient: listeners.maxConnectionsPerClient }, app.log);
  tracker.attach(app.server);

  let closeSessions = () => {};
  if (listeners.httpsPort !== undefined) {
    // A bad file at start is a configuration error (CertificateError, shown by the CLI); later ones keep the old.
    defaultCertificate = listeners.tlsFiles ? DefaultCertificate.open(listeners.tlsFiles, app.log) : undefined;
    const certificates = new CertificateStore({
      sources: tls.sources,
      onMissing: tls.onMissing,
      fallback: () => defaultCertificate?.current().context,
      onError: (error, servername) => app.log.error({ err: error, servername }, 'certificate source failed'),
    });
    https = await buildServer(deps, { logger, https: httpsOptions(certificates, defaultCertificate) });
    tracker.attach(https.server);
    ({ closeSessions } = prepareHttpsServer(https.server as unknown as Http2SecureServer, defaultCertificate));
    defaultCertificate?.watch();
  }

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await https?.close();
    throw listenError(error, config, 'PORT', config.port);
  }
  try {
    if (https) await https.listen({ port: listeners.httpsPort ?? 0, host: config.host });
  } catch (error) {
    await app.close();
    await https?.close();
    throw listenError(error, config, 'MAILCONFIG_HTTPS_PORT', listeners.httpsPort ?? 0);
  }

  let closing: Promise<{ forced: boolean }> | undefined;
  const shutdown = (timeoutMs: number) => {
    closing ??= (async () => {
      const apps = https ? [app, https] : [app];
      let forced = false;
      // Stop accepting; idle keep-alive connections close now, busy ones after their answer (fastify: return503OnClosing).
      const closed = Promise.all(apps.map((a) => a.close()));
      closeSessions();
      const deadline = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          forced = true;
          app.log.warn({ open: tracker.size, timeoutMs }, 'shutdown deadline reached: closing the remaining connections');
          stopLookups.abort();
          tracker.destroyAll();
          resolve();
        }, timeoutMs);
        void closed.finally(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await deadline;
      await closed;
      defaultCertificate?.close();
      await tls.close?.();
      return { forced };
    })();
    return closing;
  };

  const reload = async () => {
    await Promise.all([defaultCertificate?.reload('SIGHUP'), store.rescanAll()]);
    await tls.reload?.();
    app.log.info({ providers: store.current().size }, 'reloaded (SIGHUP)');
  };

  return { app, https, store, defaultCertificate, acme, reload, shutdown };
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

/** Why a port cannot be listened on, naming the variable (PORT or MAILCONFIG_HTTPS_PORT) at fault. */
const LISTEN_REASONS: Record<string, (host: string, variable: string, port: number) => string> = {
  EADDRINUSE: (_host, variable, port) => `port ${port} is already in use (${variable}=${port}; another process listens there)`,
  EACCES: (_host, variable, port) => `port ${port} needs privileges (${variable}=${port}; ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine (HOST=${host})`,
  EAFNOSUPPORT: (host) => `this machine has no IPv6 for HOST=${host}`,
};

/** A listen failure as one line naming the variable at fault; anything that is not a system error stays a bug. */
export function listenError(error: unknown, config: Pick<AppConfig, 'host' | 'port'>, variable = 'PORT', port = config.port): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const reason = LISTEN_REASONS[code]?.(config.host, variable, port) ?? `${code} (HOST=${config.host}, ${variable}=${port})`;
  return new StartupError('MAILCONFIG_LISTEN_FAILED', `cannot listen on ${config.host}:${port}: ${reason}`, { cause: error });
}
