// The domain check as a service: facts through discovery's network layer, the pure evaluator, and a short cache
// (concurrent checks of one domain share one run). Deadlines, address guard and connection caps are discovery's.
// Each check is reported as it is decided (CheckOptions.onCheck), so a caller can show progress while others run.
import { LRUCache } from 'lru-cache';
import { DnsClient, type DnsServer, type Resolver } from '../discovery/dns.js';
import { ConnectionLimiter } from '../discovery/limiter.js';
import { createNetworkGuard } from '../discovery/network-guard.js';
import { limitsOf } from '../discovery/options.js';
import type { NetworkGuard } from '../discovery/types.js';
import type { ProviderStore } from '../providers/store.js';
import { evaluate } from './evaluate.js';
import { startFacts } from './facts.js';
import type { Check, CheckReport, ServiceIdentity } from './types.js';

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

export interface CheckOptions {
  /**
   * Called with each check as soon as it is decided, in the order they finish (a report from the cache: at once, in
   * the report's order). Called before `check()` resolves; it must not throw.
   */
  onCheck?: (check: Check) => void;
}

/** A check of one domain under way: the checks decided so far, and who else wants to hear of the next ones. */
interface Run {
  report: Promise<CheckReport>;
  decided: Check[];
  listeners: Set<(check: Check) => void>;
}

export class DomainChecker {
  private readonly cache: LRUCache<string, CheckReport>;
  private readonly running = new Map<string, Run>();
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
    this.cache = new LRUCache<string, CheckReport>({ max: 1000, ttl: options.cacheMs ?? 60_000 });
  }

  /**
   * The report for a domain (already parsed and lower-cased); from the cache when checked within the last minute.
   * A check of a domain already under way is joined: its decided checks are replayed to `onCheck`, then the rest.
   */
  async check(domain: string, options: CheckOptions = {}): Promise<CheckReport> {
    const { onCheck } = options;
    const cached = this.cache.get(domain);
    if (cached) {
      if (onCheck) for (const c of cached.checks) onCheck(c);
      return cached;
    }
    let run = this.running.get(domain);
    if (!run) run = this.start(domain);
    if (!onCheck) return run.report;
    for (const c of run.decided) onCheck(c);
    run.listeners.add(onCheck);
    try {
      return await run.report;
    } finally {
      run.listeners.delete(onCheck);
    }
  }

  private start(domain: string): Run {
    const decided: Check[] = [];
    const listeners = new Set<(check: Check) => void>();
    const onCheck = (c: Check) => {
      decided.push(c);
      for (const listener of listeners) listener(c);
    };
    const report = this.run(domain, onCheck).then(
      (done) => {
        this.cache.set(domain, done);
        this.running.delete(domain);
        return done;
      },
      (error: unknown) => {
        this.running.delete(domain);
        throw error;
      },
    );
    const run: Run = { report, decided, listeners };
    this.running.set(domain, run);
    return run;
  }

  private async run(domain: string, onCheck: (check: Check) => void): Promise<CheckReport> {
    this.runs++;
    const limits = limitsOf({ ...this.options, lookupTimeoutMs: this.options.timeoutMs, autoconfigHttp: false });
    const pending = startFacts(domain, {
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
    return evaluate(pending, onCheck);
  }
}
