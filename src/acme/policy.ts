// Which names this service may ask a CA for. Nothing else is ever ordered: a handshake for a random name must not
// make the service ask a CA for it (it would burn the CA's rate limits and put the name in public CT logs).
import ipaddr from 'ipaddr.js';
import type { Resolver } from '../discovery/dns.js';
import { mxDomains } from '../discovery/mx.js';
import type { ProviderStore } from '../providers/store.js';
import type { NamePolicyMode } from './config.js';
import { certificateName, customerDomainOf } from './names.js';

export type PolicyDecision = { allowed: true; reason: string } | { allowed: false; reason: string };

export interface NamePolicyOptions {
  mode: NamePolicyMode;
  /** The service's own names (always allowed). */
  hostnames: string[];
  providers: ProviderStore;
  /** DNS for the `mx` mode (discovery's client); unused in `db` mode. */
  dns?: Resolver | undefined;
  /** How long the service's own addresses are kept before they are looked up again (ms). */
  ownAddressTtlMs?: number;
  now?: (() => number) | undefined;
}

export class NamePolicy {
  private readonly hostnames: Set<string>;
  private ownAddresses?: { at: number; addresses: Promise<Set<string>> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: NamePolicyOptions) {
    this.hostnames = new Set(options.hostnames);
    this.now = options.now ?? Date.now;
  }

  async decide(raw: string): Promise<PolicyDecision> {
    const name = certificateName(raw);
    if (!name || name !== raw) return { allowed: false, reason: 'not a DNS host name' };
    if (this.hostnames.has(name)) return { allowed: true, reason: 'one of the service\'s own names' };
    const domain = customerDomainOf(name);
    if (!domain) return { allowed: false, reason: 'neither an own name nor autoconfig/autodiscover/ua-auto-config of a domain' };
    const entry = this.options.providers.current().byDomain(domain);
    if (entry) return this.pointsHere(name, `${domain} is in the provider database (${entry.file})`);
    if (this.options.mode !== 'mx') return { allowed: false, reason: `${domain} is not in the provider database` };
    return this.decideByMx(name, domain);
  }

  /** `mx` mode: D's best MX belongs to a `purpose="mx"` provider domain and the name points at this service. */
  private async decideByMx(name: string, domain: string): Promise<PolicyDecision> {
    const dns = this.options.dns;
    if (!dns) return { allowed: false, reason: 'no DNS resolver for the mx policy' };
    try {
      const mx = await dns.query(domain, 'MX');
      const best = mx.records
        .filter((r) => typeof r.exchange === 'string' && r.exchange !== '')
        .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))[0]
        ?.exchange?.replace(/\.$/, '')
        .toLowerCase();
      if (!best) return { allowed: false, reason: `${domain} has no MX record` };
      const index = this.options.providers.current();
      const matched = mxDomains(best).find((d) => index.byMxDomain(d)?.config.mxDomains.includes(d));
      if (!matched) return { allowed: false, reason: `MX ${best} of ${domain} is no provider's purpose="mx" domain` };
      const [own, target] = await Promise.all([this.addressesOfService(), addressesOf(dns, name)]);
      if (own.size === 0) return { allowed: false, reason: 'the service\'s own names resolve to no address (MAILCONFIG_HOSTNAMES)' };
      if (!target.some((a) => own.has(a))) return { allowed: false, reason: `${name} does not resolve to this service` };
      return { allowed: true, reason: `MX ${best} of ${domain} matches ${matched} and ${name} resolves to this service` };
    } catch (error) {
      return { allowed: false, reason: `DNS: ${(error as Error).message}` };
    }
  }

  /**
   * A database name is ordered only when it resolves to the service: the bundled database lists big providers
   * (gmail.com, ...) whose autoconfig names point elsewhere; ordering them would only fail validation and use up the
   * order budget and the CA's failed-validation limit. Unchecked when the service's own names are not configured or
   * do not resolve (nothing to compare with).
   */
  private async pointsHere(name: string, reason: string): Promise<PolicyDecision> {
    const dns = this.options.dns;
    if (!dns || this.hostnames.size === 0) return { allowed: true, reason };
    try {
      const own = await this.addressesOfService();
      if (own.size === 0) return { allowed: true, reason: `${reason} (not checked: the own names resolve to no address)` };
      const target = await addressesOf(dns, name);
      if (!target.some((a) => own.has(a))) return { allowed: false, reason: `${name} does not resolve to this service` };
      return { allowed: true, reason: `${reason} and ${name} resolves to this service` };
    } catch (error) {
      return { allowed: false, reason: `DNS: ${(error as Error).message}` };
    }
  }

  private addressesOfService(): Promise<Set<string>> {
    const ttl = this.options.ownAddressTtlMs ?? 5 * 60_000;
    const now = this.now();
    if (!this.ownAddresses || now - this.ownAddresses.at > ttl) {
      const dns = this.options.dns!;
      const addresses = Promise.all([...this.hostnames].map((host) => addressesOf(dns, host).catch(() => [])))
        .then((lists) => new Set(lists.flat()));
      this.ownAddresses = { at: now, addresses };
      // A failed lookup is not kept for the whole TTL.
      void addresses.then((set) => {
        if (set.size === 0 && this.ownAddresses?.addresses === addresses) this.ownAddresses = undefined;
      });
    }
    return this.ownAddresses.addresses;
  }
}

async function addressesOf(dns: Resolver, name: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([dns.query(name, 'A'), dns.query(name, 'AAAA').catch(() => undefined)]);
  return [...a.records, ...(aaaa?.records ?? [])].flatMap((r) => (typeof r.address === 'string' && ipaddr.isValid(r.address) ? [ipaddr.process(r.address).toNormalizedString()] : []));
}
