import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppConfig } from '../config.js';
import type { ProviderStore, SettingsResolver } from '../settings/resolver.js';
import { registerHealthRoutes } from './health.js';
import { registerThunderbirdRoutes } from './thunderbird.js';
import { registerWebRoutes } from './web.js';
import { registerAppleRoutes } from './apple.js';
import { registerApiRoutes } from './api.js';
import { registerAutodiscoverRoutes } from './autodiscover.js';
import { registerMetrics } from './metrics.js';
import { registerRateLimit } from './rate-limit.js';
import { registerAdminRoutes } from './admin.js';

/** What the routes need; built once by `startService` (or by a test with its own parts). */
export interface ServiceDeps {
  config: AppConfig;
  providers: ProviderStore;
  resolver: SettingsResolver;
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP app with every route; listening is left to the caller. */
export async function buildServer(deps: ServiceDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Outlook asks /Autodiscover/Autodiscover.xml, others lower case: paths match in any case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512 },
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    trustProxy: deps.config.trustProxy,
  });
  registerMetrics(app, deps);
  await registerRateLimit(app, deps);
  // Last line of defence: never a stack trace, never a bare 500 page. Routes answer their own format's errors.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ reason: error.message }, 'bad request');
    const message = status === 500 ? 'the server could not answer this request' : error.message;
    void reply.code(status).type('application/json; charset=utf-8').send({ error: status === 500 ? 'internal error' : 'bad request', message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type('application/json; charset=utf-8').send({ error: `no such page: ${request.method} ${request.url.split('?')[0]}` });
  });
  registerHealthRoutes(app, deps);
  registerThunderbirdRoutes(app, deps);
  registerWebRoutes(app, deps);
  registerAppleRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerAutodiscoverRoutes(app, deps);
  if (deps.config.admin) registerAdminRoutes(app, deps, deps.config.admin);
  return app;
}
