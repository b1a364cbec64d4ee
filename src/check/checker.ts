// The domain check as a service: facts through discovery's network layer, the pure evaluator, and a short cache
// (concurrent checks of one domain share one run). Deadlines, address guard and connection caps are discovery's.
import { LRUCache } from 'lru-cache';
import { DnsClient, type DnsServer, type Resolver } from '../discovery/dns.js';
import { ConnectionLimiter } from '../discovery/limiter.js';
import { createNetworkGuard } from '../discovery/network-guard.js';
import { limitsOf } from '../discovery/options.js';
import type { NetworkGuard } from '../discovery/types.js';
import type { ProviderStore } from '../providers/store.js';
import { evaluate } from './evaluate.js';
import { gatherFacts } from './facts.js';
import type { CheckReport, ServiceIdentity } from './types.js';

export interface CheckerOptions {
  dnsServers: DnsServer[];
  allowNetworks: string[];
  identity: ServiceIdentity;
  /** The whole check's deadline (the lookup deadline of discovery). */
  timeoutMs: number;
  dnsTimeoutMs?: number;
  fetchTimeoutMs?: number;
  probeTimeoutMs?: number;
  maxConnections?: number;
  maxConnectionsPerDomain?: number;
  /** How long a report is kept (ms); default one minute. */
  cacheMs?: number;
  ca?: string[];
  mapPort?: (ip: string, standardPort: number) => number;
  ehloName?: string;
  dns?: Resolver;
  guard?: NetworkGuard;
}

export class DomainChecker {
  private readonly cache: LRUCache<string, CheckReport>;
  private readonly resolver: Resolver;
  private readonly guard: NetworkGuard;
  private readonly limiter: ConnectionLimiter;
  /** Checks actually run (cache misses), for tests. */
  runs = 0;

  constructor(
    private readonly store: ProviderStore,
    private readonly options: CheckerOptions,
  ) {
    const limits = limitsOf({ ...options, lookupTimeoutMs: options.timeoutMs, autoconfigHttp: false });
    this.resolver = options.dns ?? new DnsClient({ servers: options.dnsServers, timeoutMs: limits.dnsTimeoutMs });
    this.guard = options.guard ?? createNetworkGuard(options.allowNetworks);
    this.limiter = new ConnectionLimiter({ global: options.maxConnections ?? 64, perDomain: options.maxConnectionsPerDomain ?? 8 });
    this.cache = new LRUCache<string, CheckReport>({
      max: 1000,
      ttl: options.cacheMs ?? 60_000,
      fetchMethod: (domain) => this.run(domain),
    });
  }

  /** The report for a domain (already parsed and lower-cased); from the cache when checked within the last minute. */
  async check(domain: string): Promise<CheckReport> {
    const report = await this.cache.fetch(domain);
    if (!report) throw new Error(`domain check of ${domain} gave no report`);
    return report;
  }

  private async run(domain: string): Promise<CheckReport> {
    this.runs++;
    const limits = limitsOf({ ...this.options, lookupTimeoutMs: this.options.timeoutMs, autoconfigHttp: false });
    const facts = await gatherFacts(domain, {
      index: this.store.current(),
      resolver: this.resolver,
      guard: this.guard,
      limiter: this.limiter,
      identity: this.options.identity,
      timeoutMs: this.options.timeoutMs,
      fetchTimeoutMs: limits.fetchTimeoutMs,
      probeTimeoutMs: limits.probeTimeoutMs,
      maxBodyBytes: limits.maxBodyBytes,
      ca: this.options.ca,
      mapPort: this.options.mapPort,
      ehloName: this.options.ehloName,
    });
    return evaluate(facts);
  }
}
