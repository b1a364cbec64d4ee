// MX -> provider: hosted domains (Google Workspace, Microsoft 365, every hoster's customers) are found by where
// their mail goes. The best MX host, minus its first label, and its registrable domain are looked up in the
// database; failing that, the MX domain's own autoconfig host is asked.
import { getDomain } from 'tldts';
import type { MailConfig, Provenance } from '../settings/model.js';
import { autoconfigHostUrl, fetchAutoconfig } from './autoconfig.js';
import type { LookupContext } from './context.js';

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
  const candidates = finding.domains.filter((d) => d !== ctx.domain);
  if (finding.config || candidates.length === 0 || ctx.signal.aborted) return undefined;
  const configs = await Promise.all(candidates.map((d) => fetchAutoconfig(ctx, 'mx-autoconfig', autoconfigHostUrl(ctx, d), 'mx')));
  const config = configs.find((c) => c !== undefined);
  if (!config) return undefined;
  const withMx = (source: Provenance): Provenance => ({ ...source, evidence: { ...source.evidence, mx: finding.records } });
  return { ...config, source: withMx(config.source), servers: config.servers.map((s) => ({ ...s, source: withMx(s.source) })) };
}

async function mxStep(ctx: LookupContext) {
  const answer = await ctx.dns.query(ctx.domain, 'MX');
  const sorted = answer.records
    .filter((r) => typeof r.exchange === 'string')
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const records = sorted.map((r) => `${r.priority ?? 0} ${r.exchange}`);
  const finding: MxFinding = { records, domains: [], nxdomain: answer.nxdomain };
  if (answer.nxdomain) return { outcome: 'nothing' as const, detail: `${ctx.domain} does not exist (NXDOMAIN)`, value: finding };
  // RFC 7505 "null MX" (a single record with target ".") says the domain takes no mail.
  const best = sorted[0]?.exchange?.replace(/\.$/, '').toLowerCase();
  if (!best) return { outcome: 'nothing' as const, detail: `${ctx.domain} has no MX record`, value: finding };
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

/** `mx1.mail.hoster.co.uk` -> `mail.hoster.co.uk`, `hoster.co.uk` (public suffixes themselves are never used). */
export function mxDomains(host: string): string[] {
  const labels = host.split('.');
  const stripped = labels.length > 2 ? labels.slice(1).join('.') : undefined;
  const registrable = getDomain(host, { allowPrivateDomains: true }) ?? undefined;
  const out: string[] = [];
  for (const d of [stripped, registrable]) {
    if (!d || out.includes(d)) continue;
    // Stripping a label can land on a public suffix (mx.co.uk -> co.uk): never look those up.
    if (registrable && d.length < registrable.length) continue;
    out.push(d);
  }
  return out;
}
