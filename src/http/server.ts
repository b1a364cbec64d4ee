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
import { registerSecurityHeaders } from './security-headers.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP app with every route; listening is left to the caller. */
export async function buildServer(given: ServiceDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Built before the app, so every error handler can answer with a page whatever the order routes register in.
  const pages = createWebPages(given);
  const app = Fastify({
    // Every log line is scrubbed of e-mail addresses (privacy.ts); one access line per request (access-log.ts).
    logger: privateLoggerOptions(options.logger ?? false, given.config.logKey),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    // Outlook asks /Autodiscover/Autodiscover.xml, others lower case: paths match in any case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512 },
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    trustProxy: given.config.trustProxy,
    // Refused by the router before any route runs: answered here, in the format of the endpoint that was meant.
    // (The handler returns the reply, which is thenable; fastify ignores what this hook returns.)
    frameworkErrors: (error, request, reply) => void handleBadUrl(pages)(error, request, reply),
  });
  registerAccessLog(app, given.config.logKey);
  await registerSecurityHeaders(app);
  const metrics = createAbuseMetrics(registerMetrics(app, given));
  const perMinute = given.config.discoveryRateLimitPerMinute;
  const deps: ServiceDeps = { ...given, discoveryBudget: given.discoveryBudget ?? (perMinute > 0 ? new DiscoveryBudget(perMinute, metrics) : undefined) };
  await registerRateLimit(app, deps, metrics);
  // Last line of defence: never a stack trace, never a bare 500, always the format of the route family (errors.ts).
  app.setErrorHandler(handleError(pages));
  app.setNotFoundHandler(handleNotFound(pages));
  registerHealthRoutes(app, deps);
  registerThunderbirdRoutes(app, deps);
  registerPaccRoutes(app, deps);
  registerWebRoutes(app, deps, pages);
  registerCheckPage(app, deps, pages);
  registerAppleRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerAutodiscoverRoutes(app, deps);
  if (deps.config.admin) registerAdminRoutes(app, deps, deps.config.admin, metrics);
  return app;
}
