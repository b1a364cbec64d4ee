// One access-log line per request (fastify's own request logging, two lines with the full URL, is off): method,
// the path with addresses replaced by their domain, status, milliseconds and the request id. Never headers, bodies
// or the client's address.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { redactUrl } from './privacy.js';

/** An incoming X-Request-Id is kept when it is this sane: 1-128 of letters, digits and `-._:`; else one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify's genReqId: the client's (or the load balancer's) X-Request-Id when sane, else a random UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  const id = Array.isArray(given) ? given[0] : given;
  return id !== undefined && SANE_REQUEST_ID.test(id) ? id : randomUUID();
}

/** Echoes the request id on every answer and writes the access line when the answer is sent. */
export function registerAccessLog(app: FastifyInstance, logKey: string | undefined): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { method: request.method, path: redactUrl(request.url, logKey), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
    done();
  });
}
