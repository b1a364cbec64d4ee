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
import { AddressError, parseAddress, type EmailAddress } from '../settings/address.js';
import { addressFromQuery, publicBaseUrl, queryParam } from './address.js';
import type { ServiceDeps } from './server.js';

const POX_PATH = '/autodiscover/autodiscover.xml';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Provider settings change rarely: a day spares clients a lookup per start and still carries a fix the next day. */
const TTL_HOURS = 24;
// Anything that is a media type by name; fastify refuses the rest (415) before a route could answer in XML.
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;.*)?$/;

/** Outlook Autodiscover: POX (POST, and GET for the kind) and the V2 JSON pointer. */
export function registerAutodiscoverRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  // Own scope: the body is read as a raw string whatever its Content-Type, without changing other routes' parsers.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: POX_MAX_BYTES }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (request) => {
      const type = request.headers['content-type'];
      if (type !== undefined && !MEDIA_TYPE.test(type)) request.headers['content-type'] = 'application/octet-stream';
    });
    // Errors before the handler (oversized body) and unexpected ones: still the Autodiscover error document.
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      // The client's fault (oversized body, rate limit): its own HTTP status, the document says why.
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        const reason = error.statusCode === 413 ? `the request body is larger than ${POX_MAX_BYTES} bytes` : error.message;
        return sendPoxError(request, reply, 600, reason, error.statusCode);
      }
      request.log.error({ err: error }, 'autodiscover request failed');
      return sendPoxError(request, reply, 603, undefined, 200, false);
    });

    scope.post(POX_PATH, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
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

  app.get('/autodiscover/autodiscover.json', async (request, reply) => v2(request, reply, deps, queryParam(request, ['email'])));
  app.get<{ Params: { address: string } }>('/autodiscover/autodiscover.json/v1.0/:address', async (request, reply) =>
    v2(request, reply, deps, request.params.address),
  );
}

async function answer(deps: ServiceDeps, request: FastifyRequest, reply: FastifyReply, address: EmailAddress) {
  const { config } = await deps.resolver.resolve(address.domain, address);
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

function v2(request: FastifyRequest, reply: FastifyReply, deps: ServiceDeps, rawAddress: string | undefined) {
  const protocol = queryParam(request, ['protocol']);
  if (!isV2Protocol(protocol)) {
    const reason = protocol ? `the protocol "${protocol}" is not served; only ${V2_PROTOCOL} is` : `the Protocol parameter is missing; only ${V2_PROTOCOL} is served`;
    return v2Error(request, reply, 'InvalidProtocol', reason);
  }
  if (rawAddress === undefined || rawAddress.trim() === '') return v2Error(request, reply, 'InvalidUser', 'the e-mail address is missing (Email=you@example.org)');
  try {
    parseAddress(rawAddress);
  } catch (error) {
    if (error instanceof AddressError) return v2Error(request, reply, 'InvalidUser', `not an e-mail address: ${error.message}`);
    throw error;
  }
  // V2 only points to POX, which looks the address up; no lookup here.
  return reply.type(JSON_TYPE).send(renderV2Pointer(publicBaseUrl(request, deps.config.publicUrl)));
}

function v2Error(request: FastifyRequest, reply: FastifyReply, code: 'InvalidProtocol' | 'InvalidUser', reason: string) {
  request.log.info({ code, reason }, 'bad autodiscover.json request');
  return reply.code(400).type(JSON_TYPE).send(renderV2Error(code, reason));
}
