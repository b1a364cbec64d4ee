import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AddressError, parseDomain, unicodeDomain, type AddressErrorCode, type EmailAddress } from '../settings/address.js';
import { personalize } from '../settings/placeholders.js';
import type { Resolution } from '../settings/resolver.js';
import { WebAssets } from '../web/assets.js';
import { chooseLanguage, translator } from '../web/i18n/index.js';
import { badRequestPage, failurePage, notFoundPage, unavailablePage, type PageFailure } from '../web/pages/errors.js';
import { helpPage } from '../web/pages/help.js';
import { homePage } from '../web/pages/home.js';
import type { PageContext } from '../web/pages/layout.js';
import { setupPage } from '../web/pages/setup.js';
import { addressFromQuery, queryParam } from './address.js';
import { publicBaseUrl } from './public-url.js';
import { sendPlainText } from './plain.js';
import type { ServiceDeps } from './deps.js';
import { DiscoveryRateLimitError, lookUp as discoveryLookUp } from './discovery-limit.js';

/** What the pages' routes and the service's error handlers (src/http/errors.ts) share: page context and sending. */
export interface WebPages {
  assets: WebAssets;
  context(request: FastifyRequest): PageContext;
  send(reply: FastifyReply, status: number, page: string, cache: 'public' | 'private'): FastifyReply;
  /** A request the router refused (a path it cannot decode, or too long): the page for a bad entry. */
  badUrl(request: FastifyRequest, reply: FastifyReply, status: number, code: AddressErrorCode): FastifyReply;
  /** An unknown path, a refused request or a fault of ours, as a page in the visitor's language. */
  failure(request: FastifyRequest, reply: FastifyReply, status: number, failure: PageFailure): FastifyReply;
}

/** Built once, before any route, so error handlers can answer with pages whatever the order of registration. */
export function createWebPages(deps: ServiceDeps): WebPages {
  const assets = new WebAssets(deps.config.brand.color);
  const logoOrigin = deps.config.brand.logo ? new URL(deps.config.brand.logo).origin : '';
  // No inline script or style, nothing from other origins (but the hoster's own logo).
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self'${logoOrigin ? ` ${logoOrigin}` : ''}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  const context = (request: FastifyRequest): PageContext => {
    const lang = chooseLanguage(queryParam(request, ['lang']), request.headers['accept-language']);
    // Pages link by path only: the base (the request's Host only when it is ours) never reaches the page.
    const base = publicBaseUrl(request, deps) ?? 'http://localhost';
    // Path and query are set separately: a request path like //other.example must not change the host.
    const url = new URL(`${base}/`);
    const queryAt = request.url.indexOf('?');
    url.pathname = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
    url.search = queryAt < 0 ? '' : request.url.slice(queryAt);
    return { tr: translator(lang), brand: deps.config.brand, assets: assets.urls(), url };
  };
  const send = (reply: FastifyReply, status: number, page: string, cache: 'public' | 'private') =>
    reply
      .code(status)
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('vary', 'Accept-Language')
      // Pages naming an address are nobody else's business: no shared caches.
      .header('cache-control', cache === 'public' ? 'public, max-age=300' : 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(page);
  return {
    assets,
    context,
    send,
    badUrl: (request, reply, status, code) => send(reply, status, badRequestPage(context(request), { code, entered: '', domainForm: true }), 'private'),
    failure: (request, reply, status, failure) => send(reply, status, failurePage(context(request), failure), 'private'),
  };
}

/** The human setup pages: `/`, `/setup`, `/setup/<domain>`, `/help/imap-pop3` and their assets. */
export function registerWebRoutes(app: FastifyInstance, deps: ServiceDeps, pages: WebPages = createWebPages(deps)): void {
  const { assets, context, send } = pages;

  app.get('/', async (request, reply) => send(reply, 200, homePage(context(request)), 'public'));
  app.get('/help/imap-pop3', async (request, reply) => send(reply, 200, helpPage(context(request)), 'public'));

  app.get('/setup', async (request, reply) => {
    const ctx = context(request);
    const entered = queryParam(request, ['email', 'emailaddress']) ?? '';
    // Same reading as the clients' endpoints: two addresses or broken percent-encoding are refused, not guessed at.
    const param = addressFromQuery(request, ['email', 'emailaddress']);
    if (!param.ok || !param.address) {
      const refusal = param.ok ? { code: 'MAILCONFIG_ADDRESS_EMPTY' as const, reason: 'the e-mail address is empty' } : param;
      request.log.info({ reason: refusal.reason, code: refusal.code }, 'setup page: not an address');
      return send(reply, 400, badRequestPage(ctx, { code: refusal.code, entered }), 'private');
    }
    const address = param.address;
    const resolution = await lookUp(request, address.domain, address);
    if (!resolution) return send(reply, 503, unavailablePage(ctx, { domainUnicode: address.domainUnicode, entered }), 'private');
    if (!resolution.config) {
      return send(reply, 404, notFoundPage(ctx, { domainUnicode: address.domainUnicode, entered, steps: resolution.steps }), 'private');
    }
    const base = publicBaseUrl(request, deps);
    // The QR code carries a full URL: never one on a Host that is not ours.
    if (!base) {
      request.log.info({ host: 'not served' }, 'setup page for a host name this service does not serve');
      return pages.failure(request, reply, 421, 'refused');
    }
    const profileUrl = `${base}/mobileconfig?emailaddress=${encodeURIComponent(address.address)}`;
    const page = setupPage(ctx, {
      config: personalize(resolution.config, address),
      domain: address.domain,
      domainUnicode: address.domainUnicode,
      address,
      profileUrl,
    });
    return send(reply, 200, page, 'private');
  });

  app.get<{ Params: { domain: string } }>('/setup/:domain', async (request, reply) => {
    const ctx = context(request);
    let domain: string;
    try {
      domain = parseDomain(request.params.domain);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      return send(reply, 400, badRequestPage(ctx, { code: error.code, entered: request.params.domain, domainForm: true }), 'private');
    }
    const domainUnicode = unicodeDomain(domain);
    const resolution = await lookUp(request, domain);
    if (!resolution) return send(reply, 503, unavailablePage(ctx, { domainUnicode }), 'private');
    if (!resolution.config) return send(reply, 404, notFoundPage(ctx, { domainUnicode, steps: resolution.steps }), 'private');
    return send(reply, 200, setupPage(ctx, { config: resolution.config, domain, domainUnicode }), 'public');
  });

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return sendPlainText(reply, 404, 'no such asset');
    const versioned = queryParam(request, ['v']) === asset.hash;
    const etag = `"${asset.hash}"`;
    void reply
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff')
      // The page links ?v=<hash>: such a URL never changes content, so it may be cached for good.
      .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });

  /** The resolver's answer, or undefined when the lookup itself broke (logged; the page says "try again"). */
  async function lookUp(request: FastifyRequest, domain: string, address?: EmailAddress): Promise<Resolution | undefined> {
    try {
      return await discoveryLookUp(deps, request, domain, address);
    } catch (error) {
      // Over the discovery budget: the error handler answers 429 with the page for it.
      if (error instanceof DiscoveryRateLimitError) throw error;
      request.log.error({ err: error, domain }, 'setup page: lookup failed');
      return undefined;
    }
  }
}
