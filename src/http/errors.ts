import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AUTODISCOVER_CONTENT_TYPE, renderPoxError, renderV2Error } from '../formats/autodiscover.js';
import type { AddressErrorCode } from '../settings/address.js';
import { errorCode } from '../settings/errors.js';
import { sendPlainText } from './plain.js';
import type { WebPages } from './web.js';

// Every answer the routes did not make themselves (an unexpected error, a refused request, an unknown path, a URL
// the router cannot decode) goes out in the format of the family the path belongs to: a mail program that asked
// for XML or a profile never gets a JSON 500, a browser never gets JSON for a page.

/**
 * The families of routes, each with its own error format: plain text (Thunderbird autoconfig and the ISPDB mirror,
 * Apple profiles, assets, health and metrics), the Autodiscover POX error document, the Autodiscover V2 JSON error,
 * JSON (API, admin, health), HTML pages; a path of no family gets a page if the client is a browser, else JSON.
 */
export type RouteFamily = 'thunderbird' | 'apple' | 'autodiscover' | 'autodiscover-v2' | 'api' | 'pages' | 'text' | 'json' | 'other';

const JSON_TYPE = 'application/json; charset=utf-8';
const INTERNAL = 'the server could not answer this request';

/** The family of a request path (any case, query ignored), as the routes in src/http register them. */
export function routeFamily(url: string): RouteFamily {
  const path = (url.split('?')[0] ?? '').toLowerCase();
  if (path === '/mail/config-v1.1.xml' || path.startsWith('/mail/') || path.startsWith('/.well-known/autoconfig/') || path.startsWith('/v1.1/')) {
    return 'thunderbird';
  }
  if (path === '/mobileconfig' || path === '/email.mobileconfig' || path.startsWith('/mobileconfig/') || path.startsWith('/email.mobileconfig/')) return 'apple';
  if (path.startsWith('/autodiscover/autodiscover.json')) return 'autodiscover-v2';
  if (path.startsWith('/autodiscover/')) return 'autodiscover';
  if (path.startsWith('/api/')) return 'api';
  if (path === '/admin' || path.startsWith('/admin/') || path === '/healthz' || path === '/readyz') return 'json';
  if (path === '/' || path === '/setup' || path.startsWith('/setup/') || path === '/check' || path.startsWith('/check/') || path === '/help' || path.startsWith('/help/')) return 'pages';
  if (path.startsWith('/assets/') || path === '/metrics' || path.startsWith('/metrics/')) return 'text';
  return 'other';
}

/** A failure to answer in the family's format: what happened, the HTTP status, and a reason for 4xx. */
interface Failure {
  status: number;
  kind: 'bad-request' | 'not-found' | 'too-many' | 'internal';
  /** English, for clients that read text (never set for internal errors: no exception text leaves the server). */
  reason?: string;
}

/** Sends `failure` in the format of the request's route family. */
export function sendFailure(request: FastifyRequest, reply: FastifyReply, pages: WebPages | undefined, failure: Failure): FastifyReply {
  const { status, kind } = failure;
  const reason = kind === 'internal' ? INTERNAL : (failure.reason ?? (kind === 'not-found' ? 'no such page' : 'bad request'));
  const family = routeFamily(request.url);
  const browser = family === 'other' && /\btext\/html\b/i.test(request.headers.accept ?? '');
  switch (browser ? 'pages' : family) {
    case 'thunderbird':
    case 'apple':
    case 'text':
      return sendPlainText(reply, status, `${PLAIN_PREFIX[kind]}: ${reason}`);
    case 'autodiscover': {
      // Outlook reads only the document: 603 for our fault, 600 (invalid request) for anything the client sent.
      const code = kind === 'internal' ? 603 : 600;
      const xml = renderPoxError(code, { time: new Date(), id: request.id, debugData: kind === 'internal' ? undefined : reason });
      return reply.code(kind === 'internal' ? 200 : status).type(AUTODISCOVER_CONTENT_TYPE).send(xml);
    }
    case 'autodiscover-v2':
      // The V2 error shape has two codes; neither says "server fault", InvalidUser is what clients give up on cleanly.
      return reply.code(status).type(JSON_TYPE).send(renderV2Error('InvalidUser', reason));
    case 'pages':
      if (pages) {
        const page = kind === 'not-found' ? 'no-page' : kind === 'bad-request' ? 'refused' : kind;
        try {
          return pages.failure(request, reply, status, page);
        } catch (pageError) {
          // The page itself failed: fall through to JSON rather than throw from an error handler.
          request.log.error({ err: pageError }, 'error page failed');
        }
      }
      break;
    case 'api':
    case 'json':
    case 'other':
      break;
  }
  return reply.code(status).type(JSON_TYPE).send({ error: JSON_ERRORS[kind], message: reason });
}

const PLAIN_PREFIX: Record<Failure['kind'], string> = {
  'bad-request': 'Bad request',
  'not-found': 'Not found',
  'too-many': 'Too many requests',
  internal: 'Internal error',
};

const JSON_ERRORS: Record<Failure['kind'], string> = {
  'bad-request': 'bad_request',
  'not-found': 'not_found',
  'too-many': 'too_many_requests',
  internal: 'internal_error',
};

/**
 * The service's last line of defence: a client's fault (4xx from fastify or a plugin: a body too large, a rate
 * limit) is answered with its status and reason; anything else is a bug, logged with its stack and code, and answered
 * as a 500 in the family's format without any exception text.
 */
export function handleError(pages: WebPages | undefined) {
  return (error: FastifyError | (Error & { statusCode?: number }), request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error, code: errorCode(error) }, 'unhandled error');
      return sendFailure(request, reply, pages, { status, kind: 'internal' });
    }
    const reason = clientErrorReason(error, status);
    request.log.info({ reason, status, cause: (error as FastifyError).code }, 'bad request');
    if (status === 429) setRetryAfter(reply, error);
    return sendFailure(request, reply, pages, { status, kind: status === 429 ? 'too-many' : 'bad-request', reason });
  };
}

/** Why fastify or a plugin refused a request, in words of ours: their messages can quote a header or the body. */
const CLIENT_ERROR_REASONS: Record<number, string> = {
  400: 'the request is malformed',
  404: 'no such page',
  405: 'this method is not allowed here',
  406: 'no acceptable answer format',
  408: 'the request took too long to arrive',
  411: 'the request needs a Content-Length',
  413: 'the request body is too large',
  414: 'the address (URL) is too long',
  415: 'the request body has a content type this address does not accept',
  429: 'too many requests',
  431: 'the request headers are too large',
};

/**
 * The reason sent for a 4xx that did not come from a route: errors of ours (a MailconfigError, the rate limit's)
 * carry messages written without input; anything else gets the fixed reason for its status.
 */
export function clientErrorReason(error: Error & { statusCode?: number }, status: number): string {
  if (isSafeMessage(error)) return error.message;
  return CLIENT_ERROR_REASONS[status] ?? 'the request cannot be answered';
}

function isSafeMessage(error: Error): boolean {
  return errorCode(error) !== undefined || (error as { safeMessage?: unknown }).safeMessage === true;
}

/** A 429 says when to come back (seconds), if the refusal knows. */
export function setRetryAfter(reply: FastifyReply, error: unknown): void {
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds)) void reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));
}

/** An unknown path or method: a 404 in the family's format (a page for the pages, text for mail programs). */
export function handleNotFound(pages: WebPages | undefined) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    sendFailure(request, reply, pages, { status: 404, kind: 'not-found', reason: `no such page (${request.method} of this path is not served; the path is not repeated here)` });
}

/** A path the router cannot decode (`/setup/%zz`) or with a parameter over its length limit: a 4xx, never fastify's own JSON. */
export function handleBadUrl(pages: WebPages | undefined) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const status = tooLong ? 414 : 400;
    const reason = tooLong ? 'the address (URL) is too long' : 'the address (URL) is not correctly percent-encoded';
    const code: AddressErrorCode = tooLong ? 'MAILCONFIG_ADDRESS_URL_TOO_LONG' : 'MAILCONFIG_ADDRESS_URL_ENCODING';
    request.log.info({ reason, code, cause: error.code }, 'bad URL');
    // An exception here would not reach any error handler (it would end the process): the page falls back to JSON.
    // A browser asking a path of no family gets a page too, as for an unknown path (sendFailure).
    const family = routeFamily(request.url);
    const page = family === 'pages' || (family === 'other' && /\btext\/html\b/i.test(request.headers.accept ?? ''));
    if (page && pages) {
      try {
        return pages.badUrl(request, reply, status, code);
      } catch (pageError) {
        request.log.error({ err: pageError }, 'bad URL page failed');
        return reply.code(status).type(JSON_TYPE).send({ error: 'bad_request', message: reason });
      }
    }
    return sendFailure(request, reply, undefined, { status, kind: 'bad-request', reason });
  };
}
