import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerHealthRoutes } from './health.js';
import { registerThunderbirdRoutes } from './thunderbird.js';
import { createWebPages, registerWebRoutes } from './web.js';
import { handleBadUrl, handleError, handleNotFound } from './errors.js';
import { registerAppleRoutes } from './apple.js';
import { registerApiRoutes } from './api.js';
import { registerAutodiscoverRoutes } from './autodiscover.js';
import { registerMetrics } from './metrics.js';
import { registerRateLimit } from './rate-limit.js';
import { registerAdminRoutes } from './admin.js';
import { registerPaccRoutes } from './pacc.js';
import { registerCheckPage } from './check.js';
import type { ServiceDeps } from './deps.js';
import { createAbuseMetrics } from './abuse-metrics.js';
import { registerAccessLog, requestId } from './access-log.js';
import { DiscoveryBudget } from './discovery-limit.js';
import { privateLoggerOptions } from './privacy.js';
import { registerSecurityHeaders, setFallbackSecurityHeaders } from './security-headers.js';
import type { SecureServerOptions } from 'node:http2';
import { registerAcmeChallengeRoute } from './acme-challenge.js';
import { registerHttpsRedirect } from './https-redirect.js';
import { CONNECTION_TIMEOUTS } from '../listeners/limits.js';
import { handleClientError } from './client-error.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with these TLS options instead of plain HTTP. */
  https?: SecureServerOptions;
  /** The HTTPS port redirects point to (default MAILCONFIG_HTTPS_PORT; the bound port when that is 0). */
  httpsPort?: () => number;
}

/**
 * The HTTP and HTTPS listeners are two apps on one deps object: they share one discovery budget, so a client gets the
 * same limit whichever port it uses.
 */
const budgets = new WeakMap<ServiceDeps, DiscoveryBudget | undefined>();

/** Builds the HTTP app with every route; listening is left to the caller. */
export async function buildServer(given: ServiceDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Built before the app, so every error handler can answer with a page whatever the order routes register in.
  const pages = createWebPages(given);
  const { headersTimeout, requestTimeout, keepAliveTimeout, checkingInterval } = CONNECTION_TIMEOUTS;
  const listener = options.https
    ? { http2: true, https: { ...options.https, allowHTTP1: true }, http2SessionTimeout: keepAliveTimeout }
    : { http: { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval: checkingInterval } };
  // The HTTP/2 server's type parameters differ from plain HTTP's; the routes only use what both have.
  const app = Fastify({
    ...(listener as object),
    requestTimeout,
    keepAliveTimeout,
    // Every log line is scrubbed of e-mail addresses (privacy.ts); one access line per request (access-log.ts).
    logger: privateLoggerOptions(options.logger ?? false, given.config.logKey),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    // Outlook asks /Autodiscover/Autodiscover.xml, others lower case: paths match in any case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512 },
    bodyLimit: 16 * 1024,
    // Requests the HTTP parser refuses never reach a hook: they get the same strict headers here (client-error.ts).
    clientErrorHandler: handleClientError,
    return503OnClosing: true,
    trustProxy: given.config.trustProxy,
    // Refused by the router before any route runs: answered here, in the format of the endpoint that was meant.
    // (The handler returns the reply, which is thenable; fastify ignores what this hook returns.) No onRequest hook
    // has run, helmet's neither: the strict default headers are set here (a page's own CSP replaces the default).
    frameworkErrors: (error, request, reply) => {
      setFallbackSecurityHeaders(request, reply);
      void handleBadUrl(pages)(error, request, reply);
    },
  });
  registerAccessLog(app, given.config.logKey);
  registerSecurityHeaders(app);
  const metrics = createAbuseMetrics(registerMetrics(app, given));
  const perMinute = given.config.discoveryRateLimitPerMinute;
  if (!budgets.has(given)) budgets.set(given, given.discoveryBudget ?? new DiscoveryBudget(perMinute, metrics, Date.now, given.shared));
  const deps: ServiceDeps = { ...given, discoveryBudget: budgets.get(given) };
  await registerRateLimit(app, deps, metrics);
  if (!options.https && deps.config.listeners.httpsRedirect && deps.config.listeners.httpsPort !== undefined) {
    const configured = deps.config.listeners.httpsPort;
    registerHttpsRedirect(app, { publicUrl: deps.config.publicUrl, httpsPort: options.httpsPort ?? (() => configured) });
  }
  // Last line of defence: never a stack trace, never a bare 500, always the format of the route family (errors.ts).
  app.setErrorHandler(handleError(pages));
  app.setNotFoundHandler(handleNotFound(pages));
  registerHealthRoutes(app, deps);
  registerAcmeChallengeRoute(app, deps.challenges);
  registerThunderbirdRoutes(app, deps);
  registerPaccRoutes(app, deps);
  registerWebRoutes(app, deps, pages);
  registerCheckPage(app, deps, pages);
  registerAppleRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerAutodiscoverRoutes(app, deps);
  if (deps.config.admin) registerAdminRoutes(app, deps, deps.config.admin, metrics);
  return app as FastifyInstance;
}
