import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { THUNDERBIRD_CONTENT_TYPE, renderClientConfig } from '../formats/thunderbird.js';
import { AddressError, parseDomain } from '../settings/address.js';
import { addressFromQuery } from './address.js';
import { sendPlainBadRequest, sendPlainText } from './plain.js';
import type { ServiceDeps } from './deps.js';
import { lookUp } from './discovery-limit.js';

const ADDRESS_PARAMS = ['emailaddress', 'email'];

/** Thunderbird autoconfig: the two URLs a domain answers, and the ISPDB-style mirror. */
export function registerThunderbirdRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  const autoconfig = async (request: FastifyRequest, reply: FastifyReply) => {
    const param = addressFromQuery(request, ADDRESS_PARAMS);
    if (!param.ok) return badRequest(request, reply, param.reason);
    // Without an address the domain is the one the client asked (autoconfig.D / D).
    const domain = param.address?.domain ?? domainFromHost(request.hostname);
    if (!domain) return badRequest(request, reply, 'add ?emailaddress=you@example.org to the URL');
    const { config } = await lookUp(deps, request, domain, param.address);
    if (!config) return notFound(reply, domain);
    return reply.type(THUNDERBIRD_CONTENT_TYPE).send(renderClientConfig(config, param.address));
  };
  app.get('/mail/config-v1.1.xml', autoconfig);
  app.get('/.well-known/autoconfig/mail/config-v1.1.xml', autoconfig);

  app.get<{ Params: { domain: string } }>('/v1.1/:domain', async (request, reply) => {
    let domain: string;
    try {
      domain = parseDomain(request.params.domain);
    } catch (error) {
      if (error instanceof AddressError) return badRequest(request, reply, error.message);
      throw error;
    }
    const { config } = await lookUp(deps, request, domain);
    if (!config) return notFound(reply, domain);
    return reply.type(THUNDERBIRD_CONTENT_TYPE).send(renderClientConfig(config));
  });
}

function domainFromHost(hostname: string): string | undefined {
  try {
    return parseDomain(hostname.replace(/^autoconfig\./i, ''));
  } catch {
    return undefined;
  }
}

function badRequest(request: FastifyRequest, reply: FastifyReply, reason: string) {
  return sendPlainBadRequest(request, reply, reason, 'bad autoconfig request');
}

function notFound(reply: FastifyReply, domain: string) {
  return sendPlainText(reply, 404, `No mail settings known for ${domain}`);
}
