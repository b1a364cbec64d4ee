// RFC 6186 / RFC 8314 SRV records: host and port per mail service, as the domain's DNS announces them.
import type { Protocol, Security } from '../settings/model.js';
import type { LookupContext } from './context.js';
import { DnsError, dnsName, type DnsRecord } from './dns.js';

export interface SrvService {
  label: string;
  protocol: Protocol;
  security: Security;
}

/** In RFC 8314's order of preference: implicit TLS before STARTTLS. */
export const SRV_SERVICES: readonly SrvService[] = [
  { label: '_imaps._tcp', protocol: 'imap', security: 'tls' },
  { label: '_imap._tcp', protocol: 'imap', security: 'starttls' },
  { label: '_pop3s._tcp', protocol: 'pop3', security: 'tls' },
  { label: '_pop3._tcp', protocol: 'pop3', security: 'starttls' },
  { label: '_submissions._tcp', protocol: 'smtp', security: 'tls' },
  { label: '_submission._tcp', protocol: 'smtp', security: 'starttls' },
];

/** The ports discovery ever connects to, whatever a record names. */
export const MAIL_PORTS: ReadonlySet<number> = new Set([25, 110, 143, 465, 587, 993, 995]);

export interface SrvTarget {
  service: SrvService;
  host: string;
  port: number;
  priority: number;
  weight: number;
  /** The record as text, for provenance. */
  record: string;
  /** The target is not inside the address' domain: a person should confirm it (RFC 6186 section 6). */
  outsideDomain: boolean;
  ttl: number;
}

export interface SrvFinding {
  /** Usable targets in the order to try: by priority, weighted within a priority (RFC 2782). */
  targets: SrvTarget[];
  /** Services the domain explicitly does not offer (target "."). */
  notOffered: SrvService[];
  /** Records that were not followed, with the reason (port not a mail port, more than a few targets). */
  ignored: string[];
}

export async function srvLookup(ctx: LookupContext): Promise<SrvFinding> {
  const empty: SrvFinding = { targets: [], notOffered: [], ignored: [] };
  return (await ctx.log.run({ kind: 'srv', subject: ctx.domain }, () => srvStep(ctx))) ?? empty;
}

async function srvStep(ctx: LookupContext) {
  const finding: SrvFinding = { targets: [], notOffered: [], ignored: [] };
  const answers = await Promise.allSettled(SRV_SERVICES.map((service) => ctx.dns.query(`${service.label}.${ctx.domain}`, 'SRV')));
  const failures: string[] = [];
  SRV_SERVICES.forEach((service, i) => {
    const answer = answers[i]!;
    if (answer.status === 'rejected') {
      // A query that got no answer is a DNS failure; anything else thrown is a bug, for the step log to report.
      if (!(answer.reason instanceof DnsError)) throw answer.reason;
      failures.push(`${service.label}: ${answer.reason instanceof Error ? answer.reason.message : String(answer.reason)}`);
      return;
    }
    readService(ctx, service, answer.value.records, finding);
  });
  const parts = [
    ...finding.targets.map((t) => `${t.record}${t.outsideDomain ? ' (outside the domain)' : ''}`),
    ...finding.notOffered.map((s) => `${s.label}: not offered (target ".")`),
    ...finding.ignored,
    ...failures,
  ];
  const detail = parts.join('; ') || `no SRV records for ${ctx.domain}`;
  if (finding.targets.length > 0) return { outcome: 'found' as const, detail, value: finding };
  if (failures.length === SRV_SERVICES.length) return { outcome: 'failed' as const, failure: 'dns' as const, detail, value: finding };
  return { outcome: 'nothing' as const, detail, value: finding };
}

function readService(ctx: LookupContext, service: SrvService, records: DnsRecord[], finding: SrvFinding): void {
  if (records.length === 0) return;
  // RFC 2782: a single record with target "." means the service is decidedly not available (dns2 decodes it as "").
  const target = (r: DnsRecord) => dnsName(r.target ?? '');
  if (records.every((r) => target(r) === '')) {
    finding.notOffered.push(service);
    return;
  }
  const ordered = rfc2782Order(records.filter((r) => target(r) !== ''), ctx.options.random ?? Math.random);
  let taken = 0;
  for (const r of ordered) {
    const host = target(r);
    const text = `${service.label}.${ctx.domain} SRV ${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${host}`;
    if (!MAIL_PORTS.has(r.port ?? 0)) {
      finding.ignored.push(`${text}: port ${r.port} is not a mail port, not followed`);
      continue;
    }
    if (taken >= ctx.limits.srvTargetsPerService) {
      finding.ignored.push(`${text}: more than ${ctx.limits.srvTargetsPerService} targets, not followed`);
      continue;
    }
    taken++;
    finding.targets.push({
      service,
      host,
      port: r.port!,
      priority: r.priority ?? 0,
      weight: r.weight ?? 0,
      record: text,
      outsideDomain: !isInside(host, ctx.domain),
      ttl: r.ttl,
    });
  }
}

/** Lowest priority first; within a priority, a weighted random order (RFC 2782's selection algorithm). */
export function rfc2782Order(records: DnsRecord[], random: () => number): DnsRecord[] {
  const byPriority = new Map<number, DnsRecord[]>();
  for (const r of records) byPriority.set(r.priority ?? 0, [...(byPriority.get(r.priority ?? 0) ?? []), r]);
  const out: DnsRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero-weight records first in the list gives them a small chance, as the RFC asks.
    const left = [...byPriority.get(priority)!].sort((a, b) => (a.weight ?? 0) - (b.weight ?? 0));
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + (r.weight ?? 0), 0);
      const pick = Math.floor(random() * (total + 1));
      let running = 0;
      let index = left.findIndex((r) => (running += r.weight ?? 0) >= pick);
      if (index < 0) index = left.length - 1;
      out.push(left.splice(index, 1)[0]!);
    }
  }
  return out;
}

/** The host is the domain or a name under it (both compared in canonical form). */
export function isInside(host: string, domain: string): boolean {
  const h = dnsName(host);
  const d = dnsName(domain);
  return h === d || h.endsWith(`.${d}`);
}
