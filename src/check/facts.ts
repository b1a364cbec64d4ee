// Gathers what a customer's domain publishes, through discovery's network layer only: its DNS client (per-query
// deadline), the vetted host lookup behind the address guard, the vetted fetch (https, size cap, timeout) and the
// prober (never a login), with connections capped by a ConnectionLimiter. One deadline for the whole check.
import { getDomain } from 'tldts';
import { DnsError, type Resolver } from '../discovery/dns.js';
import { fetchVetted, type FetchResult } from '../discovery/fetch.js';
import { LookupDns } from '../discovery/hosts.js';
import type { ConnectionLimiter } from '../discovery/limiter.js';
import { mxDomains } from '../discovery/mx.js';
import { paccTxtName, paccUrl } from '../discovery/pacc.js';
import { probe } from '../discovery/probe/index.js';
import type { NetworkGuard } from '../discovery/types.js';
import type { ProviderIndex } from '../providers/database.js';
import { providerDisplayName, type MailConfig } from '../settings/model.js';
import { rankServers } from '../settings/preference.js';
import { MAIL_SRV } from '../formats/dns-records.js';
import { finding } from './messages.js';
import { allFacts } from './pending.js';
import type { CheckFacts, MxFacts, NameFacts, PendingFacts, ServerProbeFacts, ServiceIdentity, SrvFacts, TxtFacts, WebFacts } from './types.js';

export interface FactsDeps {
  index: ProviderIndex;
  resolver: Resolver;
  guard: NetworkGuard;
  limiter: ConnectionLimiter;
  identity: ServiceIdentity;
  /** The whole check's deadline. */
  timeoutMs: number;
  fetchTimeoutMs: number;
  probeTimeoutMs: number;
  maxBodyBytes: number;
  /** Extra trusted CAs and the port mapping of tests (as in DiscoveryOptions). */
  ca?: string[] | undefined;
  mapPort?: ((ip: string, standardPort: number) => number) | undefined;
  ehloName?: string | undefined;
}

/** RFC 6764 names: SRV and the TXT path beside it. */
export const DAV_LABELS = ['_caldavs._tcp', '_carddavs._tcp'] as const;

/** The probe address used for the POX request; never a real person's. */
const POX_ADDRESS_LOCALPART = 'autodiscover-check';

/**
 * Starts every query of the check at once and gives each fact as its own promise: a name's web fetch waits only for
 * that name, the server probes only for the provider found, so a check can be evaluated while the others run.
 */
export function startFacts(domain: string, deps: FactsDeps): PendingFacts {
  const signal = AbortSignal.timeout(deps.timeoutMs);
  const dns = new LookupDns(deps.resolver, deps.guard, signal);
  const fetchOptions = { dns, ca: deps.ca, mapPort: deps.mapPort, timeoutMs: deps.fetchTimeoutMs, maxBytes: deps.maxBodyBytes, maxRedirects: 3, allowHttp: false, signal };
  const web = async (url: string, post?: { body: string; contentType: string }): Promise<WebFacts> => toWeb(await fetchVetted(url, { ...fetchOptions, post }));
  const probeAddress = `${POX_ADDRESS_LOCALPART}@${domain}`;
  /** The web fetch of a name, once its addresses are known (none: nothing to connect to). */
  const fetchWhenResolved = (name: Promise<NameFacts>, url: string, post?: { body: string; contentType: string }) =>
    name.then((n) => (n.addresses.length > 0 ? web(url, post) : undefined));

  const mx = mxFacts(dns, domain, deps.index);
  const own = deps.index.byDomain(domain);
  const found = mx.then((m) => {
    const viaMx = own ? undefined : m.providerId !== undefined ? deps.index.get(m.providerId) : undefined;
    const config = own?.config ?? viaMx?.config;
    return config ? { config, via: own ? ('domain' as const) : ('mx' as const) } : undefined;
  });
  const expected = found.then((f) => f?.config);
  const autoconfigName = nameFacts(dns, `autoconfig.${domain}`);
  const autodiscoverName = nameFacts(dns, `autodiscover.${domain}`);
  const paccName = nameFacts(dns, `ua-auto-config.${domain}`);
  const srvNames = [...MAIL_SRV.map((l) => l.label), ...DAV_LABELS, '_jmap._tcp'].map((label) => `${label}.${domain}`);
  const pending: PendingFacts = {
    domain: Promise.resolve(domain),
    identity: identityWithAddresses(deps.identity, dns),
    expected,
    expectedVia: found.then((f) => f?.via),
    mx,
    autoconfigName,
    autoconfigFile: fetchWhenResolved(autoconfigName, `https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(probeAddress)}`),
    autodiscoverName,
    autodiscoverSrv: srvFacts(dns, `_autodiscover._tcp.${domain}`),
    autodiscoverPox: fetchWhenResolved(autodiscoverName, `https://autodiscover.${domain}/autodiscover/autodiscover.xml`, { body: poxRequest(probeAddress), contentType: 'text/xml; charset=utf-8' }),
    paccName,
    paccDocument: fetchWhenResolved(paccName, paccUrl(domain)),
    paccTxt: txtFacts(dns, paccTxtName(domain)),
    srv: Promise.all(srvNames.map((name) => srvFacts(dns, name))).then((list) => Object.fromEntries(list.map((s) => [s.name, s]))),
    txt: Promise.all(DAV_LABELS.map((label) => txtFacts(dns, `${label}.${domain}`))).then((list) => Object.fromEntries(list.map((t) => [t.name, t]))),
    servers: expected.then((config) => (config ? probeServers(config, domain, dns, deps, signal) : [])),
  };
  // A failure is seen by whoever awaits that fact; until then it must not count as unhandled.
  for (const promise of Object.values(pending) as Promise<unknown>[]) promise.catch(() => undefined);
  return pending;
}

/** Gathers every fact (startFacts, then all of them). */
export async function gatherFacts(domain: string, deps: FactsDeps): Promise<CheckFacts> {
  return allFacts(startFacts(domain, deps));
}

/** The service's own names resolve to addresses too: a customer's A record may copy them. */
async function identityWithAddresses(identity: ServiceIdentity, dns: LookupDns): Promise<ServiceIdentity> {
  const resolved = await Promise.all(identity.hostnames.map((host) => dns.resolveHost(host).then((v) => v.addresses, () => [] as string[])));
  return { hostnames: identity.hostnames, addresses: [...new Set([...identity.addresses, ...resolved.flat()])] };
}

function toWeb(result: FetchResult): WebFacts {
  return result.ok ? { ok: true, url: result.url, body: result.body } : { ok: false, url: result.url, failure: result.failure, error: result.error, missing: result.missing };
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    if (error instanceof DnsError) return { ok: false, error: error.message };
    throw error;
  }
}

const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

async function nameFacts(dns: LookupDns, name: string): Promise<NameFacts> {
  const [cname, host] = await Promise.all([settle(dns.query(name, 'CNAME')), dns.resolveHost(name)]);
  const facts: NameFacts = { name, addresses: host.addresses, refused: host.refused.map((r) => r.address), nxdomain: host.nxdomain };
  const target = cname.ok ? cname.value.records[0]?.domain : undefined;
  if (typeof target === 'string' && target !== '') facts.cname = bare(target);
  if (host.error) facts.error = host.error;
  return facts;
}

async function srvFacts(dns: LookupDns, name: string): Promise<SrvFacts> {
  const answer = await settle(dns.query(name, 'SRV'));
  if (!answer.ok) return { name, records: [], error: answer.error };
  return {
    name,
    records: answer.value.records.map((r) => ({ priority: r.priority ?? 0, weight: r.weight ?? 0, port: r.port ?? 0, target: bare(r.target ?? '') || '.' })),
  };
}

async function txtFacts(dns: LookupDns, name: string): Promise<TxtFacts> {
  const answer = await settle(dns.query(name, 'TXT'));
  if (!answer.ok) return { name, records: [], error: answer.error };
  return { name, records: answer.value.records.map((r) => txtText(r.data)) };
}

/** dns2 decodes TXT data as an array of character-strings (older versions: one string). */
function txtText(data: unknown): string {
  if (Array.isArray(data)) return data.map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part))).join('');
  return typeof data === 'string' ? data : '';
}

async function mxFacts(dns: LookupDns, domain: string, index: ProviderIndex): Promise<MxFacts> {
  const answer = await settle(dns.query(domain, 'MX'));
  if (!answer.ok) return { records: [], nxdomain: false, error: answer.error };
  const records = answer.value.records.map((r) => ({ priority: r.priority ?? 0, exchange: bare(r.exchange ?? '') })).sort((a, b) => a.priority - b.priority);
  const facts: MxFacts = { records, nxdomain: answer.value.nxdomain };
  const best = records.find((r) => r.exchange !== '' && r.exchange !== '.');
  if (best) {
    const candidates = [...mxDomains(best.exchange), getDomain(best.exchange) ?? ''].filter((d) => d !== '' && d !== domain);
    for (const candidate of candidates) {
      const entry = index.byMxDomain(candidate);
      if (entry) {
        facts.providerId = entry.config.id;
        facts.providerName = providerDisplayName(entry.config);
        break;
      }
    }
  }
  return facts;
}

async function probeServers(config: MailConfig, domain: string, dns: LookupDns, deps: FactsDeps, signal: AbortSignal): Promise<ServerProbeFacts[]> {
  const servers = rankServers(config.servers).filter((s) => !s.host.includes('%'));
  const seen = new Set<string>();
  const unique = servers.filter((s) => {
    const key = `${s.protocol} ${s.host}:${s.port} ${s.security}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return Promise.all(
    unique.map(async (server): Promise<ServerProbeFacts> => {
      const label = `${server.protocol.toUpperCase()} ${server.host}:${server.port}`;
      const vetted = await dns.resolveHost(server.host);
      const address = vetted.addresses[0];
      if (!address) {
        const problem = vetted.error ? finding('server.probeError', { error: vetted.error }) : finding(vetted.refused.length > 0 ? 'server.refused' : 'server.noAddress', { host: server.host });
        return { label, ok: false, problem };
      }
      const port = deps.mapPort?.(address, server.port) ?? server.port;
      try {
        const result = await deps.limiter.run(
          domain,
          () => probe({ host: server.host, address, port, protocol: server.protocol, security: server.security }, { timeoutMs: deps.probeTimeoutMs, signal, ca: deps.ca, ehloName: deps.ehloName, guard: deps.guard }),
          signal,
        );
        return result.ok ? { label, ok: true } : { label, ok: false, problem: finding('server.probeError', { error: result.error }) };
      } catch (error) {
        if (signal.aborted && error === signal.reason) return { label, ok: false, problem: finding('server.outOfTime') };
        throw error;
      }
    }),
  );
}

/** An Outlook POX request (the answer is compared, never used). */
function poxRequest(address: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">',
    `<Request><EMailAddress>${address}</EMailAddress>`,
    '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>',
    '</Request></Autodiscover>',
  ].join('');
}

