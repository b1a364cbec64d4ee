// MX -> provider: hosted domains (Google Workspace, Microsoft 365, every hoster's customers) are found by where
// their mail goes. The best MX host, minus its first label, and its registrable domain are looked up in the
// database; failing that, the MX domain's own autoconfig host is asked.
import { getDomain } from 'tldts';
import type { MailConfig, Provenance } from '../settings/model.js';
import { autoconfigHostUrl, fetchAutoconfig } from './autoconfig.js';
import type { LookupContext } from './context.js';
import { dnsName } from './dns.js';

export interface MxFinding {
  /** The best (lowest preference) MX host, without the trailing dot. */
  host?: string;
  /** `10 mx.example.net` for each record, best first. */
  records: string[];
  /** Domains derived from the MX host: first label stripped, then the registrable domain (distinct, not D). */
  domains: string[];
  /** A provider database entry reached through the MX host. */
  config?: MailConfig;
  /** D itself does not exist: nothing below it can either (RFC 8020). */
  nxdomain: boolean;
}

/** The MX step: D's best MX host, and the provider database entry it leads to. */
export async function mxLookup(ctx: LookupContext): Promise<MxFinding> {
  return (await ctx.log.run({ kind: 'mx', subject: ctx.domain }, () => mxStep(ctx))) ?? { records: [], domains: [], nxdomain: false };
}

/** When the database knows nothing, the MX domains' own autoconfig hosts (as clients do). */
export async function mxAutoconfig(ctx: LookupContext, finding: MxFinding): Promise<MailConfig | undefined> {
  // An MX inside D leads back to autoconfig.D, which the autoconfig step already asks.
  const candidates = finding.domains.filter((d) => d !== dnsName(ctx.domain));
  if (finding.config || candidates.length === 0 || ctx.signal.aborted) return undefined;
  const configs = await Promise.all(candidates.map((d) => fetchAutoconfig(ctx, 'mx-autoconfig', autoconfigHostUrl(ctx, d), 'mx')));
  const config = configs.find((c) => c !== undefined);
  if (!config) return undefined;
  const withMx = (source: Provenance): Provenance => ({ ...source, evidence: { ...source.evidence, mx: finding.records } });
  return { ...config, source: withMx(config.source), servers: config.servers.map((s) => ({ ...s, source: withMx(s.source) })) };
}

async function mxStep(ctx: LookupContext) {
  const answer = await ctx.dns.query(ctx.domain, 'MX');
  // Names from DNS in their canonical form: `MX1.Hoster.Example.` and `mx1.hoster.example` are one host.
  const sorted = answer.records
    .filter((r) => typeof r.exchange === 'string')
    .map((r) => ({ priority: r.priority ?? 0, exchange: dnsName(r.exchange!) }))
    .sort((a, b) => a.priority - b.priority);
  const records = sorted.map((r) => `${r.priority} ${r.exchange || '.'}`);
  const finding: MxFinding = { records, domains: [], nxdomain: answer.nxdomain };
  if (answer.nxdomain) return { outcome: 'nothing' as const, detail: `${ctx.domain} does not exist (NXDOMAIN)`, value: finding };
  if (sorted.length === 0) return { outcome: 'nothing' as const, detail: `${ctx.domain} has no MX record`, value: finding };
  // RFC 7505 "null MX" (a single record with target ".") says the domain takes no mail.
  if (sorted.length === 1 && sorted[0]!.exchange === '') return { outcome: 'nothing' as const, detail: `${ctx.domain} takes no mail (null MX, RFC 7505)`, value: finding };
  // draft-ietf-mailmaint-autoconfig: only the most preferred MX host counts (the first listed among equals).
  const best = sorted.find((r) => r.exchange !== '')!.exchange;
  finding.host = best;
  finding.domains = mxDomains(best);
  for (const domain of finding.domains) {
    const entry = ctx.index.byMxDomain(domain);
    if (!entry) continue;
    const source: Provenance = {
      kind: 'mx',
      detail: `MX ${best} -> ${domain} -> ${entry.file}`,
      confidence: 'high',
      evidence: { mx: records, matched: domain, file: entry.file },
    };
    finding.config = { ...entry.config, source, servers: entry.config.servers.map((s) => ({ ...s, source })) };
    return { outcome: 'found' as const, detail: `MX ${best}: ${domain} is in the provider database (${entry.file})`, value: finding };
  }
  return { outcome: 'nothing' as const, detail: `MX ${best}: ${finding.domains.join(', ') || 'no derived domain'} not in the provider database`, value: finding };
}

/**
 * The MX host's domains as draft-ietf-mailmaint-autoconfig derives them, both tried in this order:
 * MXFULLDOMAIN (the host minus its first label, only when longer than the registrable domain) and MXBASEDOMAIN
 * (the registrable domain by the Public Suffix List). `mx1.mail.hoster.co.uk` -> `mail.hoster.co.uk`,
 * `hoster.co.uk`; `mx.hoster.example` -> `hoster.example`. A host without a registrable domain (an IP address, a
 * public suffix) yields nothing: a public suffix is never looked up.
 */
export function mxDomains(name: string): string[] {
  const host = dnsName(name);
  const registrable = getDomain(host, { allowPrivateDomains: true });
  if (!registrable) return [];
  const full = host.split('.').slice(1).join('.');
  return full.length > registrable.length ? [full, registrable] : [registrable];
}
