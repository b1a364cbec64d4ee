import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
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

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP app with every route; listening is left to the caller. */
export async function buildServer(deps: ServiceDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Built before the app, so every error handler can answer with a page whatever the order routes register in.
  const pages = createWebPages(deps);
  const app = Fastify({
    logger: options.logger ?? false,
    // Outlook asks /Autodiscover/Autodiscover.xml, others lower case: paths match in any case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512 },
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    trustProxy: deps.config.trustProxy,
    // Refused by the router before any route runs: answered here, in the format of the endpoint that was meant.
    // (The handler returns the reply, which is thenable; fastify ignores what this hook returns.)
    frameworkErrors: (error, request, reply) => void handleBadUrl(pages)(error, request, reply),
  });
  registerMetrics(app, deps);
  await registerRateLimit(app, deps);
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
  if (deps.config.admin) registerAdminRoutes(app, deps, deps.config.admin);
  return app;
}
