import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AUTODISCOVER_CONTENT_TYPE,
  POX_MAX_BYTES,
  isV2Protocol,
  parsePoxRequest,
  renderPoxError,
  renderPoxResponse,
  renderV2Error,
  renderV2Pointer,
  V2_PROTOCOL,
  type PoxErrorCode,
} from '../formats/autodiscover.js';
import type { EmailAddress } from '../settings/address.js';
import { quoteInput } from '../settings/quote.js';
import { addressFromQuery, addressParam, queryParam, type AddressParam } from './address.js';
import { publicBaseUrl } from './public-url.js';
import type { ServiceDeps } from './deps.js';
import { lookUp } from './discovery-limit.js';
import { clientErrorReason, setRetryAfter } from './errors.js';

const POX_PATH = '/autodiscover/autodiscover.xml';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Provider settings change rarely: a day spares clients a lookup per start and still carries a fix the next day. */
const TTL_HOURS = 24;
// Anything that is a media type by name; fastify refuses the rest (415) before a route could answer in XML.
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;.*)?$/;

/** Outlook Autodiscover: POX (POST, and GET for the kind) and the V2 JSON pointer. */
export function registerAutodiscoverRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  // Own scope: the body is read as raw bytes whatever its Content-Type, without changing other routes' parsers.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: POX_MAX_BYTES }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (request) => {
      const type = request.headers['content-type'];
      if (type !== undefined && !MEDIA_TYPE.test(type)) request.headers['content-type'] = 'application/octet-stream';
    });
    // Errors before the handler (oversized body) and unexpected ones: still the Autodiscover error document.
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      // The client's fault (oversized body, rate limit): its own HTTP status, the document says why.
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        const reason = error.statusCode === 413 ? `the request body is larger than ${POX_MAX_BYTES} bytes` : clientErrorReason(error, error.statusCode);
        if (error.statusCode === 429) setRetryAfter(reply, error);
        return sendPoxError(request, reply, 600, reason, error.statusCode);
      }
      request.log.error({ err: error }, 'autodiscover request failed');
      return sendPoxError(request, reply, 603, undefined, 200, false);
    });

    scope.post(POX_PATH, async (request, reply) => {
      const decoded = decodeBody(request.body);
      if (!decoded.ok) return sendPoxError(request, reply, 600, decoded.reason, 400);
      const body = decoded.text;
      if (body.trim() === '') return sendPoxError(request, reply, 600, 'the request body is empty', 400);
      const parsed = parsePoxRequest(body);
      if (!parsed.ok) return sendPoxError(request, reply, parsed.code, parsed.reason, parsed.code === 600 ? 400 : 200);
      return answer(deps, request, reply, parsed.address);
    });

    scope.get(POX_PATH, async (request, reply) => {
      const param = addressFromQuery(request, ['email', 'emailaddress']);
      if (!param.ok) return sendPoxError(request, reply, 600, `not an e-mail address: ${param.reason}`, 400);
      if (!param.address) return sendPoxError(request, reply, 600, 'POST an Autodiscover request, or add ?email=you@example.org', 400);
      return answer(deps, request, reply, param.address);
    });
  });

  app.get('/autodiscover/autodiscover.json', async (request, reply) => v2(request, reply, deps, addressFromQuery(request, ['email'])));
  app.get<{ Params: { address: string } }>('/autodiscover/autodiscover.json/v1.0/:address', async (request, reply) =>
    v2(request, reply, deps, addressParam(request.params.address)),
  );
}

type DecodedBody = { ok: true; text: string } | { ok: false; reason: string };

/**
 * The body as text: UTF-8 (the norm), or UTF-16 when its first bytes say so (byte order mark, or `<` next to a zero
 * byte), the way XML detects its encoding. A Content-Type charset is not trusted over the bytes.
 */
function decodeBody(body: unknown): DecodedBody {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: true, text: '' };
  let encoding = 'utf-8';
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] !== 0 && body[1] === 0)) encoding = 'utf-16le';
  else if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0 && body[1] !== 0)) encoding = 'utf-16be';
  try {
    // The decoder drops a byte order mark; invalid bytes are an error, not silently replaced text.
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(body) };
  } catch {
    return { ok: false, reason: `the request body is not valid ${encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'} text` };
  }
}

async function answer(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, address: EmailAddress) {
  const { config } = await lookUp(deps, request, address.domain, address);
  if (!config || config.servers.length === 0) {
    return sendPoxError(request, reply, 501, `no configuration for ${address.domainUnicode} (${address.domain})`, 200);
  }
  return reply.type(AUTODISCOVER_CONTENT_TYPE).send(renderPoxResponse(config, address, { ttlHours: TTL_HOURS }));
}

/** Sends the error document; every error is logged once here (603 is logged where it is caught). */
function sendPoxError(request: FastifyRequest, reply: FastifyReply, code: PoxErrorCode, reason: string | undefined, status: number, log = true) {
  if (log) request.log.info({ code, reason }, 'bad autodiscover request');
  const xml = renderPoxError(code, { time: new Date(), id: request.id, debugData: reason });
  return reply.code(status).type(AUTODISCOVER_CONTENT_TYPE).send(xml);
}

function v2(request: FastifyRequest, reply: FastifyReply, deps: ServiceDeps, param: AddressParam) {
  const protocol = queryParam(request, ['protocol']);
  if (!isV2Protocol(protocol)) {
    const reason = protocol ? `the protocol ${quoteInput(protocol, 'asked for')} is not served; only ${V2_PROTOCOL} is` : `the Protocol parameter is missing; only ${V2_PROTOCOL} is served`;
    return v2Error(request, reply, 'InvalidProtocol', reason);
  }
  if (!param.ok) return v2Error(request, reply, 'InvalidUser', `not an e-mail address: ${param.reason}`);
  if (!param.address) return v2Error(request, reply, 'InvalidUser', 'the e-mail address is missing (Email=you@example.org)');
  // V2 only points to POX, which looks the address up; no lookup here. Never to a Host that is not ours.
  const base = publicBaseUrl(request, deps);
  if (!base) {
    request.log.info({ code: 'InvalidUser' }, 'autodiscover.json for a host name this service does not serve');
    return reply.code(421).type(JSON_TYPE).send(renderV2Error('InvalidUser', 'this service does not answer for the host name in the request; ask autodiscover.<your domain>'));
  }
  return reply.type(JSON_TYPE).send(renderV2Pointer(base));
}

function v2Error(request: FastifyRequest, reply: FastifyReply, code: 'InvalidProtocol' | 'InvalidUser', reason: string) {
  request.log.info({ code, reason }, 'bad autodiscover.json request');
  return reply.code(400).type(JSON_TYPE).send(renderV2Error(code, reason));
}
