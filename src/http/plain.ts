import type { FastifyReply, FastifyRequest } from 'fastify';

// Mail programs (autoconfig, profiles) read no structured errors: their failures are one line of plain text.

/** Sends `text` and a newline as text/plain with `status`. */
export function sendPlainText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

/** A 400 `Bad request: <reason>`, logged once with its reason under `logMessage`. */
export function sendPlainBadRequest(request: FastifyRequest, reply: FastifyReply, reason: string, logMessage: string): FastifyReply {
  request.log.info({ reason }, logMessage);
  return sendPlainText(reply, 400, `Bad request: ${reason}`);
}
