import type { FastifyInstance } from 'fastify';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config.js';
import { LiveProviderStore } from './providers/store.js';
import { settingsResolverFor } from './discovery/setup.js';
import { buildServer, type ServiceDeps } from './http/server.js';
import { ConnectionTracker } from './listeners/limits.js';
import { httpsOptions, prepareHttpsServer } from './listeners/https.js';
import { DefaultCertificate } from './tls/default-certificate.js';
import { CertificateStore } from './tls/store.js';
import type { ProcessRole, TlsExtensions } from './tls/types.js';
import { createAcme, forwardLog, type Acme } from './acme/setup.js';
import { metricsRegistryFor } from './http/metrics.js';

export interface Service {
  /** The HTTP listener's app (PORT). */
  app: FastifyInstance;
  /** The HTTPS listener's app (MAILCONFIG_HTTPS_PORT), when configured. Same routes, same deps. */
  https?: FastifyInstance;
  store: LiveProviderStore;
  /** MAILCONFIG_TLS_CERT/_KEY, when configured. */
  defaultCertificate?: DefaultCertificate;
  /** The ACME engine (MAILCONFIG_ACME_DIRECTORY), when configured: its events tell when a certificate is served. */
  acme?: Acme;
  /** SIGHUP: the TLS files, the provider directory and the ACME engine's stored certificates are read again. */
  reload(): Promise<void>;
  /**
   * SIGTERM: stop accepting, let requests in flight finish within `timeoutMs`, then end the remaining connections
   * and abort discovery lookups. Resolves when everything is closed; `forced` tells whether the deadline was hit.
   */
  shutdown(timeoutMs: number): Promise<{ forced: boolean }>;
}

export interface ServiceOptions {
  /** Which process this is (src/process/cluster.ts); a single process by default. */
  role?: ProcessRole;
  /** Certificate sources, onMissing and challenge answers (tests; the ACME engine is built below otherwise). */
  tls?: TlsExtensions;
}

export const SINGLE_PROCESS: ProcessRole = { worker: 0, workers: 1, ordersCertificates: true };

/** Loads the provider database, builds the apps and starts listening. Invalid files are skipped with one log line each. */
export async function startService(config: AppConfig, logger: boolean | Record<string, unknown> = { level: process.env.LOG_LEVEL ?? 'info' }, options: ServiceOptions = {}): Promise<Service> {
  const role = options.role ?? SINGLE_PROCESS;
  // Live: admin writes and hand edits of the directory are served at once (see src/providers/store.ts).
  const store = await LiveProviderStore.open(config.providersDir);
  const index = store.current();
  const problems = store.initialProblems;
  const stopLookups = new AbortController();
  // ACME: the engine (src/acme/) plugs in here; it orders certificates only when `role.ordersCertificates`. It logs
  // through the HTTP app's logger, which exists only after buildServer: nothing logs before acme.start() below.
  const acme = !options.tls && config.acme ? createAcme({ config: config.acme, providers: store, role, dnsServers: config.discovery.dnsServers, log: forwardLog(() => app.log) }) : undefined;
  const tls: TlsExtensions = options.tls ?? acme?.extensions ?? {};
  const deps: ServiceDeps = { config, providers: store, resolver: settingsResolverFor(config.discovery, store, stopLookups.signal), challenges: tls.challenges, role };
  let https: FastifyInstance | undefined;
  const httpsPort = () => (https?.server.address() as AddressInfo | null)?.port ?? config.listeners.httpsPort ?? 443;
  const app = await buildServer(deps, { logger, httpsPort });
  for (const problem of problems.filter((p) => p.severity === 'error')) {
    app.log.warn({ file: problem.file, line: problem.line }, `provider file skipped: ${problem.file}:${problem.line}: ${problem.message}`);
  }
  app.log.info({ providers: index.size, domains: index.domainCount, dir: config.providersDir, worker: role.worker || undefined }, 'provider database loaded');
  store.watch(app.log);
  app.addHook('onClose', () => store.close());
  if (acme) {
    for (const metric of acme.manager.metrics()) metricsRegistryFor(deps).registerMetric(metric);
    await acme.start();
  }

  const { listeners } = config;
  const tracker = new ConnectionTracker({ max: listeners.maxConnections, perClient: listeners.maxConnectionsPerClient }, app.log);
  tracker.attach(app.server);

  let defaultCertificate: DefaultCertificate | undefined;
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

  await app.listen({ port: config.port, host: config.host });
  try {
    if (https) await https.listen({ port: listeners.httpsPort, host: config.host });
  } catch (error) {
    await app.close();
    throw error;
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
