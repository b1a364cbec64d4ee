import type { FastifyInstance } from 'fastify';
import type { ChallengeResponder } from '../tls/types.js';
import { sendPlainText } from './plain.js';

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
/** RFC 8555 8.3: the token is base64url. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** ACME http-01 (RFC 8555 8.3): the CA fetches the key authorization for a token over plain HTTP, port 80. */
export function registerAcmeChallengeRoute(app: FastifyInstance, responder: ChallengeResponder | undefined): void {
  app.get<{ Params: { token: string } }>(`${ACME_CHALLENGE_PREFIX}:token`, async (request, reply) => {
    const { token } = request.params;
    if (!responder) return sendPlainText(reply, 404, 'No ACME challenge is pending here.');
    if (!TOKEN.test(token)) return sendPlainText(reply, 404, 'Not an ACME challenge token.');
    const host = (request.hostname ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    const keyAuthorization = await responder.http01(token, host);
    if (keyAuthorization === undefined) return sendPlainText(reply, 404, 'No such ACME challenge token.');
    void reply.header('cache-control', 'no-store');
    return reply.code(200).type('application/octet-stream').send(keyAuthorization);
  });
}
