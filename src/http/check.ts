// The domain check over HTTP: `GET /api/v1/check?domain=D` (JSON, inside the /api/v1 scope) and `GET /check/<domain>`
// (the page). Both run the same DomainChecker: discovery's address guard, deadlines and connection caps, a report
// cached a minute, and the service's per-client rate limit like every lookup.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainChecker } from '../check/checker.js';
import { reportJson } from '../check/json.js';
import type { CheckReport } from '../check/types.js';
import { systemDnsServers } from '../discovery/dns.js';
import { AddressError, parseDomain, unicodeDomain } from '../settings/address.js';
import { badRequestPage, unavailablePage } from '../web/pages/errors.js';
import { checkPage } from '../web/pages/check.js';
import { queryParam } from './address.js';
import type { ServiceDeps } from './deps.js';
import type { WebPages } from './web.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The checker the service was given, else one built from its configuration (one per app). */
const checkers = new WeakMap<ServiceDeps, DomainChecker>();
export function checkerOf(deps: ServiceDeps): DomainChecker {
  if (deps.checker) return deps.checker;
  let checker = checkers.get(deps);
  if (!checker) {
    const { discovery, hostnames, serviceAddresses } = deps.config;
    checker = new DomainChecker(deps.providers, {
      dnsServers: discovery.dnsServers ?? systemDnsServers(),
      allowNetworks: discovery.allowNetworks,
      identity: { hostnames, addresses: serviceAddresses },
      timeoutMs: discovery.lookupTimeoutMs,
    });
    checkers.set(deps, checker);
  }
  return checker;
}

type Checked = { ok: true; report: CheckReport } | { ok: false; status: 400 | 503; code: string; message: string; addressCode?: AddressError['code'] };

async function run(deps: ServiceDeps, given: string | undefined, log: FastifyReply['log']): Promise<Checked> {
  if (given === undefined || given.trim() === '') return { ok: false, status: 400, code: 'missing_domain', message: 'add ?domain=example.org to the URL' };
  let domain: string;
  try {
    domain = parseDomain(given);
  } catch (error) {
    if (error instanceof AddressError) return { ok: false, status: 400, code: 'invalid_domain', message: 'the domain parameter is not a domain name', addressCode: error.code };
    throw error;
  }
  try {
    return { ok: true, report: await checkerOf(deps).check(domain) };
  } catch (error) {
    log.error({ err: error, domain }, 'domain check failed');
    return { ok: false, status: 503, code: 'check_failed', message: 'the check could not be run; try again later' };
  }
}

/** `GET /api/v1/check?domain=D`, registered inside the /api/v1 scope (its CORS). */
export function registerCheckApi(api: FastifyInstance, deps: ServiceDeps): void {
  api.get('/check', async (request, reply) => {
    const checked = await run(deps, queryParam(request, ['domain']), reply.log);
    if (!checked.ok) {
      request.log.info({ reason: checked.message }, 'check API error');
      return reply.code(checked.status).type(JSON_TYPE).send({ error: checked.code, message: checked.message });
    }
    // What DNS says changes when the customer edits the zone: no shared caches.
    return reply.header('cache-control', 'no-store').type(JSON_TYPE).send(reportJson(checked.report));
  });
}

/** `GET /check/<domain>`: the page. */
export function registerCheckPage(app: FastifyInstance, deps: ServiceDeps, pages: WebPages): void {
  app.get<{ Params: { domain: string } }>('/check/:domain', async (request, reply) => {
    const ctx = pages.context(request);
    const checked = await run(deps, request.params.domain, reply.log);
    if (!checked.ok) {
      if (checked.status === 503) return pages.send(reply, 503, unavailablePage(ctx, { domainUnicode: request.params.domain.slice(0, 253) }), 'private');
      return pages.send(reply, 400, badRequestPage(ctx, { code: checked.addressCode ?? 'MAILCONFIG_ADDRESS_EMPTY', entered: '', domainForm: true }), 'private');
    }
    return pages.send(reply, 200, checkPage(ctx, { report: checked.report, domainUnicode: unicodeDomain(checked.report.domain) }), 'private');
  });
}
