// Calendars, contacts and JMAP as the domain's DNS and web server announce them: RFC 6764 (SRV `_caldavs._tcp` /
// `_carddavs._tcp` with TXT `path=`, else the `/.well-known/caldav|carddav` redirect) and RFC 8620 section 2.2
// (SRV `_jmap._tcp`, then `/.well-known/jmap`). Redirects are followed with every hop vetted; the final URL is kept.
import type { Provenance, UrlProtocol, UrlService } from '../settings/model.js';
import type { StepFailure } from '../settings/steps.js';
import { lookupFetchOptions, type LookupContext } from './context.js';
import { messageOf, type DnsRecord } from './dns.js';
import { fetchVetted, type FetchResult } from './fetch.js';
import { rfc2782Order } from './srv.js';

interface DavKind {
  protocol: Exclude<UrlProtocol, 'webdav'>;
  srv: string;
  wellKnown: string;
  /** Whether a TXT `path=` at the SRV name gives the context path (RFC 6764; JMAP has none). */
  txtPath: boolean;
}

const KINDS: readonly DavKind[] = [
  { protocol: 'caldav', srv: '_caldavs._tcp', wellKnown: '/.well-known/caldav', txtPath: true },
  { protocol: 'carddav', srv: '_carddavs._tcp', wellKnown: '/.well-known/carddav', txtPath: true },
  { protocol: 'jmap', srv: '_jmap._tcp', wellKnown: '/.well-known/jmap', txtPath: false },
];

/**
 * Statuses that show a DAV or JMAP resource is there: it wants credentials (401/403), does not take GET (405),
 * or answers (200, 207). Anything else at the end of the redirects means "not here".
 */
const PRESENT = new Set([200, 207, 401, 403, 405]);

/** One step per kind, all at once; the services found, in CalDAV, CardDAV, JMAP order. */
export async function davLookup(ctx: LookupContext): Promise<UrlService[]> {
  const found = await Promise.all(KINDS.map((kind) => ctx.log.run({ kind: kind.protocol, subject: `${kind.srv}.${ctx.domain}` }, () => lookupKind(ctx, kind))));
  return found.filter((service): service is UrlService => service !== undefined);
}

type StepResult = { outcome: 'found' | 'nothing' | 'failed'; failure?: StepFailure; detail: string; value: UrlService | undefined };

async function lookupKind(ctx: LookupContext, kind: DavKind): Promise<StepResult> {
  const name = `${kind.srv}.${ctx.domain}`;
  const [srv, txt] = await Promise.all([settle(ctx.dns.query(name, 'SRV')), kind.txtPath ? settle(ctx.dns.query(name, 'TXT')) : Promise.resolve(undefined)]);
  const nothing = (detail: string): StepResult => ({ outcome: 'nothing', detail, value: undefined });
  const records = srv.ok ? srv.value.records : [];
  const target = (r: DnsRecord) => (r.target ?? '').replace(/\.$/, '').toLowerCase();
  // RFC 2782: target "." alone means decidedly not offered: no well-known guess either.
  if (records.length > 0 && records.every((r) => target(r) === '')) return nothing(`${name} SRV ".": not offered`);
  const best = rfc2782Order(records.filter((r) => target(r) !== ''), ctx.options.random ?? Math.random)[0];
  const srvNote = srv.ok ? '' : ` (SRV lookup failed: ${srv.error})`;

  if (best) {
    const host = target(best);
    const port = best.port ?? 443;
    const record = `${name} SRV ${best.priority ?? 0} ${best.weight ?? 0} ${port} ${host}`;
    const origin = `https://${host}${port === 443 ? '' : `:${port}`}`;
    const inside = host === ctx.domain || host.endsWith(`.${ctx.domain}`);
    const path = txt?.ok ? pathFromTxt(txt.value.records) : undefined;
    if (path) {
      const url = `${origin}${path}`;
      return found(kind, url, provenance('srv', record, inside ? 'medium' : 'low', { dns: { srv: record, txt: `path=${path}` } }), inside, ctx.domain, `${record}, TXT path=${path}: ${url}`);
    }
    if (port !== 443) {
      // Discovery fetches only on 443: the host and port are all DNS says; the client finds the path.
      const url = `${origin}/`;
      return found(kind, url, provenance('srv', record, 'low', { dns: { srv: record } }), inside, ctx.domain, `${record} (no TXT path, port ${port} not fetched): ${url}`, ['no context path known: the client discovers it']);
    }
    return fromWellKnown(ctx, kind, `${origin}${kind.wellKnown}`, 'srv', record, inside);
  }
  // No SRV: the well-known URL on the domain itself (RFC 6764 section 5, RFC 8620 section 2.2).
  const result = await fromWellKnown(ctx, kind, `https://${ctx.domain}${kind.wellKnown}`, 'probe', `https://${ctx.domain}${kind.wellKnown}`, true);
  if (srvNote && result.outcome !== 'found') return { ...result, detail: `${result.detail}${srvNote}` };
  return result;
}

async function fromWellKnown(ctx: LookupContext, kind: DavKind, url: string, sourceKind: 'srv' | 'probe', detail: string, inside: boolean): Promise<StepResult> {
  const fetched: FetchResult = await fetchVetted(url, lookupFetchOptions(ctx, false));
  const last = fetched.hops.at(-1);
  const status = fetched.ok ? 200 : last?.status;
  const chain = fetched.hops.map((hop) => `${hop.url} ${hop.status ?? '-'}`).join(' -> ');
  if (status === undefined || !PRESENT.has(status)) {
    const why = fetched.ok ? '' : fetched.error;
    const missing = fetched.ok || fetched.missing || status !== undefined;
    return { outcome: missing ? 'nothing' : 'failed', ...(missing || fetched.ok ? {} : { failure: fetched.failure }), detail: `${url}: ${why || `HTTP ${status}`}${chain ? ` (${chain})` : ''}`, value: undefined };
  }
  const final = last!.url;
  const redirects = fetched.hops.length - 1;
  const warnings = redirects === 0 ? [`${url} answered without a redirect: the client may need to discover the context path`] : [];
  const confidence = !inside ? 'low' : 'medium';
  const source = provenance(sourceKind, detail, confidence, { url: final, redirects, hops: fetched.hops, status });
  return found(kind, final, source, inside, ctx.domain, `${chain}: ${final}`, warnings);
}

function found(kind: DavKind, url: string, source: Provenance, inside: boolean, domain: string, detail: string, warnings: string[] = []): StepResult {
  const host = new URL(url).hostname;
  const all = [...warnings, ...(inside || host === domain || host.endsWith(`.${domain}`) ? [] : [`${host} is outside ${domain}: confirm with your provider that this server is theirs`])];
  const service: UrlService = { protocol: kind.protocol, url, auth: ['Basic'], username: '%EMAILADDRESS%', source };
  if (all.length > 0) service.warnings = all;
  return { outcome: 'found', detail, value: service };
}

function provenance(kind: 'srv' | 'probe', detail: string, confidence: Provenance['confidence'], evidence: Record<string, unknown>): Provenance {
  return { kind, detail, confidence, evidence };
}

/** RFC 6764 section 4: `path=<context path>` in a TXT record at the SRV name (character-strings joined). */
export function pathFromTxt(records: readonly DnsRecord[]): string | undefined {
  for (const record of records) {
    const data: unknown = record.data;
    const strings = Array.isArray(data) ? data.map(String) : typeof data === 'string' ? [data] : [];
    for (const text of strings) {
      const match = /^path=(\/\S*)$/.exec(text.trim());
      if (match) return match[1];
    }
  }
  return undefined;
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

/** The config's own services first; discovered ones only for protocols it has none of. */
export function withDiscoveredServices<T extends { services?: UrlService[] }>(config: T, discovered: readonly UrlService[]): T {
  const have = new Set((config.services ?? []).map((s) => s.protocol));
  const added = discovered.filter((s) => !have.has(s.protocol));
  return added.length === 0 ? config : { ...config, services: [...(config.services ?? []), ...added] };
}
