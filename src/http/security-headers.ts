// Security headers on every answer, through @fastify/helmet configured per route family (errors.ts routeFamily):
// - everywhere: X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, the rest of helmet's defaults;
// - everything but HTML: a CSP that allows nothing (`default-src 'none'; frame-ancestors 'none'`), so an answer a
//   browser is tricked into rendering can run nothing and be framed by nobody;
// - HTML pages: their own strict CSP is set where every page is sent (WebPages.send, so error pages made by the
//   error handlers carry it too), plus X-Frame-Options: DENY and Cross-Origin-Opener-Policy here;
// - the JSON API (CORS for any origin): Cross-Origin-Resource-Policy: cross-origin, so other sites may read it;
// - HTTPS only: Strict-Transport-Security (a plain-http answer must not carry it, RFC 6797 7.2).
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeFamily, type RouteFamily } from './errors.js';

type HelmetConfig = Exclude<FastifyHelmetOptions, boolean>;

/** Nothing may load or frame an answer that is not a page. */
const NOTHING_ALLOWED = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };

/** Headers every family shares; HSTS is added per request (HTTPS only), never by helmet's static configuration. */
const BASE: HelmetConfig = {
  contentSecurityPolicy: NOTHING_ALLOWED,
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
  // Pages load nothing from other origins; these are the defaults for everything else too.
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xFrameOptions: false,
};

const FAMILY: Record<RouteFamily, HelmetConfig> = {
  pages: { ...BASE, contentSecurityPolicy: false, xFrameOptions: { action: 'deny' }, crossOriginOpenerPolicy: { policy: 'same-origin' } },
  api: { ...BASE, crossOriginResourcePolicy: { policy: 'cross-origin' } },
  thunderbird: BASE,
  apple: BASE,
  autodiscover: BASE,
  'autodiscover-v2': BASE,
  text: BASE,
  json: BASE,
  other: BASE,
};

/** One year, the usual preload floor; no includeSubDomains: the hoster's other names are not ours to pin. */
export const HSTS_VALUE = 'max-age=31536000';

/** Whether the request reached us over TLS (directly, or as a trusted proxy's X-Forwarded-Proto says). */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || (request.raw.socket as { encrypted?: boolean }).encrypted === true;
}

/** Registers helmet with each route's family configuration; call before any route is registered. */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // Runs before helmet's own onRoute hook (registered next), which reads `helmet` from the route options.
  app.addHook('onRoute', (routeOptions) => {
    const options = routeOptions as typeof routeOptions & { helmet?: HelmetConfig | false };
    if (options.helmet === undefined) options.helmet = FAMILY[routeFamily(routeOptions.url ?? '')];
  });
  // Answers of no route (404s, refused requests) get the strict default.
  await app.register(helmet, { ...BASE, global: true });
  app.addHook('onRequest', (request, reply, done) => {
    if (isHttps(request)) void reply.header('strict-transport-security', HSTS_VALUE);
    done();
  });
}

/**
 * The headers for an answer sent outside the request lifecycle (a URL the router refused never runs onRequest
 * hooks): the strict default, as helmet would have set it.
 */
export function setFallbackSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  if (isHttps(request)) void reply.header('strict-transport-security', HSTS_VALUE);
}
