// A STAND-IN for go-autoconfig, which cannot be fetched here (no internet): a bare fastify route doing what
// go-autoconfig does for Thunderbird, filling a fixed XML template with the address of each request. No lookup, no
// logging, no hooks: the static-template floor the service's Thunderbird answer is compared with.
import type { FastifyInstance } from 'fastify';

export const STAND_IN_PATH = '/standin/mail/config-v1.1.xml';

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Registers the stand-in on `app`. `answer` is the service's own answer for `address`: every occurrence of the
 * address and its local part becomes a slot, so the stand-in serves the same bytes for the same address.
 */
export function registerStandIn(app: FastifyInstance, answer: string, address: string): void {
  const [local] = address.split('@') as [string];
  const parts = answer.split(address).map((piece) => piece.split(`>${local}<`));
  app.get<{ Querystring: { emailaddress?: string } }>(STAND_IN_PATH, async (request, reply) => {
    const email = request.query.emailaddress ?? '';
    const at = email.lastIndexOf('@');
    if (at < 1) return reply.code(400).send('bad address');
    const whole = escape(email);
    const localPart = `>${escape(email.slice(0, at))}<`;
    return reply.type('application/xml; charset=utf-8').send(parts.map((piece) => piece.join(localPart)).join(whole));
  });
}
