// Requests Node's HTTP parser refuses before fastify sees them (an unknown method, a control character in a header,
// headers over the size limit, headers that never finish): answered on the socket with the same strict headers every
// other answer carries (nosniff, a CSP that allows nothing) and a JSON reason in the shape of the API's errors.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

const REASONS: Record<number, string> = {
  400: 'the request is malformed (its method, request line or headers)',
  408: 'the request took too long to arrive',
  431: 'the request headers are too large',
};

function statusOf(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/** The raw answer for a refused request: status line, headers and body, with Connection: close. */
export function clientErrorResponse(code: string | undefined): string {
  const status = statusOf(code);
  const body = JSON.stringify({ error: 'bad_request', message: REASONS[status] });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
    'Referrer-Policy: no-referrer',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** fastify's `clientErrorHandler` (called with the server's logger as `this`). */
export function handleClientError(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ cause: error.code }, 'request refused by the HTTP parser');
  if (socket.writable) socket.write(clientErrorResponse(error.code));
  socket.destroy(error);
}
