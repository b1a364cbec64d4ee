import type { FastifyInstance, FastifyReply } from 'fastify';
import { dnsPlan, zoneLines } from '../formats/dns-records.js';
import { renderPacc } from '../formats/pacc.js';
import { AddressError, parseDomain } from '../settings/address.js';
import { queryParam } from './address.js';
import type { ServiceDeps } from './deps.js';
import { publicBaseUrl } from './public-url.js';

/** What the route needs of the service (a part of ServiceDeps). */
export type DnsApiDeps = Pick<ServiceDeps, 'resolver' | 'config' | 'providers'>;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `GET /api/v1/dns?domain=D`: the records `mailconfig dns D` prints, as JSON. Registered inside the /api/v1 scope
 * (its CORS). The records point at this service's public host (MAILCONFIG_PUBLIC_URL, else the Host asked).
 */
export function registerDnsApi(api: FastifyInstance, deps: DnsApiDeps): void {
  api.get('/dns', async (request, reply) => {
    const given = queryParam(request, ['domain']);
    if (given === undefined || given.trim() === '') return error(reply, 400, 'missing_domain', 'add ?domain=example.org to the URL');
    let domain: string;
    try {
      domain = parseDomain(given);
    } catch (failure) {
      if (failure instanceof AddressError) return error(reply, 400, 'invalid_domain', 'the domain parameter is not a domain name');
      throw failure;
    }
    const { config } = await deps.resolver.resolve(domain);
    if (!config) return error(reply, 404, 'unknown_domain', `no mail settings known for ${domain}`);
    const base = publicBaseUrl(request, deps);
    if (!base) return error(reply, 400, 'unknown_host', 'this Host is not a name of this service: ask through one, or set MAILCONFIG_PUBLIC_URL');
    const serviceHost = new URL(base).hostname;
    const plan = dnsPlan(config, domain, { serviceHost, pacc: renderPacc(config, domain) });
    // Computed from the provider file on every call: never cached by shared caches, so a change shows at once.
    return reply.header('cache-control', 'no-store').type(JSON_TYPE).send({ ...plan, provider: config.id, zone: zoneLines(plan) });
  });
}

function error(reply: FastifyReply, status: 400 | 404, code: string, message: string) {
  reply.request.log.info({ reason: message }, 'DNS API error');
  return reply.code(status).type(JSON_TYPE).send({ error: code, message });
}
