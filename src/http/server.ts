import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { renderV2Error } from '../formats/autodiscover.js';
import type { AppConfig } from '../config.js';
import type { ProviderStore, SettingsResolver } from '../settings/resolver.js';
import { registerHealthRoutes } from './health.js';
import { registerThunderbirdRoutes } from './thunderbird.js';
import { registerWebRoutes, wantsHtml, type BadUrlPage, type NotFoundPage } from './web.js';
import { registerAppleRoutes } from './apple.js';
import { registerApiRoutes } from './api.js';
import { registerAutodiscoverRoutes } from './autodiscover.js';
import { registerMetrics } from './metrics.js';
import { registerRateLimit } from './rate-limit.js';
import { registerAdminRoutes } from './admin.js';
import { sendPlainText } from './plain.js';

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
  let webPage: BadUrlPage | undefined;
  let webNotFound: NotFoundPage | undefined;
  const app = Fastify({
    logger: options.logger ?? false,
    // Outlook asks /Autodiscover/Autodiscover.xml, others lower case: paths match in any case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512 },
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    trustProxy: deps.config.trustProxy,
    // Refused by the router before any route runs: answered here, in the format of the endpoint that was meant.
    frameworkErrors: (error, request, reply) => badUrl(error, request, reply, webPage),
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
    // A person in a browser gets a page in their language; programs keep getting JSON.
    if (webNotFound && wantsHtml(request)) return webNotFound(request, reply);
    void reply.code(404).type('application/json; charset=utf-8').send({ error: `no such page: ${request.method} ${request.url.split('?')[0]}` });
  });
  registerHealthRoutes(app, deps);
  registerThunderbirdRoutes(app, deps);
  ({ badUrl: webPage, notFound: webNotFound } = registerWebRoutes(app, deps));
  registerAppleRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerAutodiscoverRoutes(app, deps);
  if (deps.config.admin) registerAdminRoutes(app, deps, deps.config.admin);
  return app;
}

/** A path the router cannot decode (`/setup/%zz`) or with a parameter over its length limit: a 4xx, never fastify's own JSON. */
function badUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply, webPage: BadUrlPage | undefined) {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const reason = status === 414 ? 'the address (URL) is too long' : 'the address (URL) is not correctly percent-encoded';
  request.log.info({ reason, code: error.code }, 'bad URL');
  const path = (request.url.split('?')[0] ?? '').toLowerCase();
  if (path.startsWith('/autodiscover/autodiscover.json')) return reply.code(status).type('application/json; charset=utf-8').send(renderV2Error('InvalidUser', reason));
  // An exception here would not reach any error handler (it would end the process): the page falls back to JSON.
  if (path.startsWith('/setup/') && webPage) {
    try {
      return webPage(request, reply, status, reason);
    } catch (pageError) {
      request.log.error({ err: pageError }, 'bad URL page failed');
    }
  }
  if (path.startsWith('/v1.1/') || path.startsWith('/assets/')) return sendPlainText(reply, status, `Bad request: ${reason}`);
  return reply.code(status).type('application/json; charset=utf-8').send({ error: 'bad request', message: reason });
}
