// Name -> vetted addresses, once per lookup: every answer is asked once and every address passes the guard before use.
import { isIP } from 'node:net';
import { DnsError, dnsName, messageOf, type DnsAnswer, type RecordType, type Resolver } from './dns.js';
import type { NetworkGuard } from './types.js';

export interface VettedHost {
  host: string;
  /** Addresses that may be connected to, IPv4 first. Empty when the name has none or all were refused. */
  addresses: string[];
  /** Addresses the guard refused, with its reason: reported, never connected to. */
  refused: { address: string; reason: string }[];
  /** The name does not exist. */
  nxdomain: boolean;
  /** Why the name could not be resolved (both queries failed). */
  error?: string | undefined;
  /** The CNAME chain's targets, in order (`mail.hoster.example` for a customer's `imap.D`); empty for no alias. */
  aliases: string[];
}

/**
 * The DNS of one lookup: identical questions share one query, and the TTLs of all answers used are kept so the
 * result can be cached for as long as its records live.
 */
export class LookupDns {
  private readonly answers = new Map<string, Promise<DnsAnswer>>();
  private readonly hosts = new Map<string, Promise<VettedHost>>();
  private readonly ttls: number[] = [];

  constructor(
    private readonly resolver: Resolver,
    private readonly guard: NetworkGuard,
    private readonly signal?: AbortSignal,
  ) {}

  /** Names are asked in their canonical form (lower case, no trailing dot), so `IMAP.D.` and `imap.d` are one question. */
  query(name: string, type: RecordType): Promise<DnsAnswer> {
    const canonical = dnsName(name);
    const key = `${type} ${canonical}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.resolver.query(canonical, type, this.signal).then((a) => {
        if (a.ttl !== undefined) this.ttls.push(a.ttl);
        return a;
      });
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** The lowest TTL of every answer seen so far (seconds), or undefined when none carried one. */
  minTtl(): number | undefined {
    return this.ttls.length > 0 ? Math.min(...this.ttls) : undefined;
  }

  /** A and AAAA of a name, every address vetted. Throws only for a bug (DNS failures are in `error`). */
  resolveHost(name: string): Promise<VettedHost> {
    const host = isIP(name) === 0 ? dnsName(name) : name;
    let result = this.hosts.get(host);
    if (!result) {
      result = this.vet(host);
      this.hosts.set(host, result);
    }
    return result;
  }

  private async vet(host: string): Promise<VettedHost> {
    if (isIP(host) !== 0) return this.judge(host, [host], false, []);
    const [a, aaaa] = await Promise.allSettled([this.query(host, 'A'), this.query(host, 'AAAA')]);
    // A query without an answer is a DNS failure (a value); anything else thrown is a bug, for the caller to report.
    for (const r of [a, aaaa]) if (r.status === 'rejected' && !(r.reason instanceof DnsError)) throw r.reason;
    const found = [a, aaaa].flatMap((r) => (r.status === 'fulfilled' ? r.value.records.map((rec) => rec.address ?? '') : []));
    const nxdomain = [a, aaaa].some((r) => r.status === 'fulfilled' && r.value.nxdomain);
    const failures = [a, aaaa].flatMap((r) => (r.status === 'rejected' ? [messageOf(r.reason)] : []));
    const chains = [a, aaaa].flatMap((r) => (r.status === 'fulfilled' ? [r.value.cnames.map((link) => link.target)] : []));
    const aliases = chains.find((chain) => chain.length > 0) ?? [];
    const usable = found.filter((ip) => isIP(ip) !== 0);
    const vetted = this.judge(host, usable, nxdomain, aliases);
    if (failures.length === 2) vetted.error = failures[0];
    // Both answers already carry the alias target's addresses: the target needs no questions of its own
    // (a shared hoster's name is known, and vetted, the moment the customer's alias is).
    const target = aliases.at(-1);
    if (target && chains.length === 2 && chains.every((chain) => chain.at(-1) === target) && !this.hosts.has(target)) {
      this.hosts.set(target, Promise.resolve(this.judge(target, usable, nxdomain, [])));
    }
    return vetted;
  }

  private judge(host: string, found: string[], nxdomain: boolean, aliases: string[]): VettedHost {
    const result: VettedHost = { host, addresses: [], refused: [], nxdomain, aliases };
    for (const address of [...new Set(found)].sort((x, y) => isIP(x) - isIP(y))) {
      const reason = this.guard.refusal(address);
      if (reason) result.refused.push({ address, reason });
      else result.addresses.push(address);
    }
    return result;
  }
}

/** Words for a host that cannot be used, for step details. */
export function describeUnusable(host: VettedHost): string {
  if (host.error) return `${host.host}: ${host.error}`;
  if (host.nxdomain) return `${host.host} does not exist`;
  if (host.refused.length > 0) return `${host.host} -> ${host.refused.map((r) => `${r.address} refused (${r.reason})`).join(', ')}`;
  return `${host.host} has no address`;
}
