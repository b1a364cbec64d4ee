// Security headers on every answer, helmet's, configured per route family (errors.ts routeFamily):
// - everywhere: X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, the rest of helmet's defaults;
// - everything but HTML: a CSP that allows nothing (`default-src 'none'; frame-ancestors 'none'`), so an answer a
//   browser is tricked into rendering can run nothing and be framed by nobody;
// - HTML pages: their own strict CSP is set where every page is sent (WebPages.send, so error pages made by the
//   error handlers carry it too), plus X-Frame-Options: DENY and Cross-Origin-Opener-Policy here;
// - the JSON API (CORS for any origin): Cross-Origin-Resource-Policy: cross-origin, so other sites may read it;
// - HTTPS only: Strict-Transport-Security (a plain-http answer must not carry it, RFC 6797 7.2).
// The headers are helmet's, computed once per family configuration at start (helmet's middleware run against a
// recorder) and set per request by one synchronous hook: @fastify/helmet builds helmet's middleware again on every
// request, which cost more than the answer itself.
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';
import { routeFamily, type RouteFamily } from './errors.js';

type HelmetConfig = Exclude<FastifyHelmetOptions, boolean>;

interface HeaderRecorder {
  setHeader(name: string, value: string | number | readonly string[]): void;
  removeHeader(name: string): void;
}
type HelmetMiddleware = (request: unknown, response: HeaderRecorder, next: (error?: unknown) => void) => void;

// helmet itself, as @fastify/helmet (the dependency) resolves it.
const require = createRequire(import.meta.url);
const helmet = createRequire(require.resolve('@fastify/helmet'))('helmet') as (options: HelmetConfig) => HelmetMiddleware;

/** The headers helmet sets for `config` (names in lower case): helmet's static configuration has no per-request part. */
export function helmetHeaders(config: HelmetConfig): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder: HeaderRecorder = {
    setHeader: (name, value) => void (headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name) => void delete headers[name.toLowerCase()],
  };
  helmet(config)({}, recorder, (error) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}

/** Nothing may load or frame an answer that is not a page. */
const NOTHING_ALLOWED = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };

/** Headers every family shares; HSTS is added per request (HTTPS only), never by helmet's static configuration. */
export const BASE: HelmetConfig = {
  contentSecurityPolicy: NOTHING_ALLOWED,
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
  // Pages load nothing from other origins; these are the defaults for everything else too.
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xFrameOptions: false,
};

export const FAMILY: Record<RouteFamily, HelmetConfig> = {
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

export const FAMILY_HEADERS = Object.fromEntries(Object.entries(FAMILY).map(([family, config]) => [family, helmetHeaders(config)])) as Record<RouteFamily, Readonly<Record<string, string>>>;
/** Answers of no route (404s, refused requests): the strict default. */
const DEFAULT_HEADERS = helmetHeaders(BASE);

interface SecurityHeadersConfig {
  securityHeaders?: Readonly<Record<string, string>>;
}

/** Sets each route's family headers (and HSTS over HTTPS) on every answer; call before any route is registered. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // The family is found once per route, when it is registered.
  app.addHook('onRoute', (routeOptions) => {
    const headers = FAMILY_HEADERS[routeFamily(routeOptions.url ?? '')];
    routeOptions.config = Object.assign(routeOptions.config ?? Object.create(null), { securityHeaders: headers } satisfies SecurityHeadersConfig);
  });
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers((request.routeOptions.config as SecurityHeadersConfig | undefined)?.securityHeaders ?? DEFAULT_HEADERS);
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
