// The SettingsResolver the service uses: the provider database first (no network, always current), then live
// discovery behind a bounded cache. Concurrent requests for one domain share one lookup; expired answers are
// served while a refresh runs; a refresh that fails keeps the old answer.
import { LRUCache } from 'lru-cache';
import type { EmailAddress } from '../settings/address.js';
import type { LookupStep, Resolution, SettingsResolver } from '../settings/resolver.js';
import { DatabaseResolver } from '../providers/resolver.js';
import type { ProviderStore } from '../providers/store.js';
import type { StepListener } from './context.js';
import { DnsClient, type Resolver } from './dns.js';
import { ConnectionLimiter } from './limiter.js';
import { createNetworkGuard } from './network-guard.js';
import { DEFAULT_LOOKUP_TIMEOUT_MS, type DiscoveryOptions } from './options.js';
import { discover, type DiscoveryResult, type PipelineDeps } from './pipeline.js';
import type { NetworkGuard } from './types.js';
import { DiscoveryBugs, type DiscoveryLogger } from './bugs.js';
import type { SharedDiscoveryCache } from './shared-cache.js';

const HOUR = 3600;
const POSITIVE_TTL = { min: HOUR, max: 24 * HOUR };
const NEGATIVE_TTL = { min: 5 * 60, max: 15 * 60 };

export interface CacheOptions {
  /** Domains kept at most. */
  maxEntries?: number;
  /** Approximate bytes kept at most (JSON size of the answers). */
  maxBytes?: number;
  /** Clock for TTLs (tests move time forward). */
  now?: () => number;
}

export interface DiscoveryResolverOptions extends DiscoveryOptions {
  cache?: CacheOptions;
  /** Replace the DNS client (tests count questions through it). */
  dns?: Resolver;
  guard?: NetworkGuard;
  limiter?: ConnectionLimiter;
  /** Where bugs are logged (with their stack); by default one JSON line on stderr until `bugs.useLogger`. */
  logger?: DiscoveryLogger;
  /** Answers shared with the other instances (Redis), behind the in-process cache; absent: this instance alone. */
  shared?: SharedDiscoveryCache | undefined;
}

/** How a discovery lookup ended, for the metrics: found settings, found nothing, or failed (a bug, the deadline). */
export type LookupOutcome = 'found' | 'nothing' | 'failed';

/** Counts of the service's metrics (src/http/metrics.ts reads them). */
export interface DiscoveryStats {
  /** Answered from the in-process cache (fresh, expired-and-refreshing, or joined to a lookup running). */
  cacheHits: number;
  /** Not in the in-process cache: read from the shared cache or looked up. */
  cacheMisses: number;
}

interface CachedLookup {
  result: DiscoveryResult;
  /** When the lookup finished (cache clock), for "answered from the cache, N s old". */
  at: number;
  /** Read from the shared cache: another instance looked it up. */
  shared?: boolean;
}

interface LookupContext {
  address?: EmailAddress | undefined;
  onStep?: StepListener | undefined;
}

export class DiscoveryResolver implements SettingsResolver {
  private readonly deps: PipelineDeps;
  private readonly cache: LRUCache<string, CachedLookup, LookupContext>;
  private readonly now: () => number;
  /** Bounds the lookups running at once: a burst of cold domains queues instead of using up sockets. */
  private readonly lookupSlots: ConnectionLimiter;
  /** Lookups actually run (cache misses and refreshes), for tests and metrics. */
  lookups = 0;
  /** What went wrong unexpectedly: logged, and counted by the service's metrics. */
  readonly bugs: DiscoveryBugs;
  private readonly database: DatabaseResolver;
  private readonly shared: SharedDiscoveryCache | undefined;
  readonly stats: DiscoveryStats = { cacheHits: 0, cacheMisses: 0 };
  /** Called when a lookup of this instance ends (metrics: lookups by outcome and duration). */
  onLookup: (outcome: LookupOutcome, seconds: number) => void = () => {};

  constructor(store: ProviderStore, options: DiscoveryResolverOptions) {
    this.bugs = new DiscoveryBugs(options.logger);
    this.database = new DatabaseResolver(store);
    this.shared = options.shared;
    this.deps = {
      store,
      dns: options.dns ?? new DnsClient({ servers: options.dnsServers, timeoutMs: options.dnsTimeoutMs }),
      guard: options.guard ?? createNetworkGuard(options.allowNetworks),
      limiter: options.limiter ?? new ConnectionLimiter({ global: options.maxConnections ?? 64, perDomain: options.maxConnectionsPerDomain ?? 8, perTarget: options.maxConnectionsPerTarget ?? 4 }),
      options,
      bugs: this.bugs,
    };
    this.now = options.cache?.now ?? (() => performance.now());
    this.lookupSlots = new ConnectionLimiter({ global: options.maxLookups ?? 32, perDomain: 1 });
    this.cache = new LRUCache<string, CachedLookup, LookupContext>({
      max: options.cache?.maxEntries ?? 10_000,
      maxSize: options.cache?.maxBytes ?? 8 * 1024 * 1024,
      sizeCalculation: (value) => Math.max(1, JSON.stringify(value.result).length),
      ttlAutopurge: false,
      allowStale: true,
      noDeleteOnFetchRejection: true,
      allowStaleOnFetchRejection: true,
      perf: { now: this.now },
      ttlResolution: 0,
      fetchMethod: (domain, stale, { options: fetchOptions, context }) => this.refresh(domain, stale, fetchOptions, context),
    });
  }

  async resolve(domain: string, address?: EmailAddress, onStep?: StepListener): Promise<Resolution> {
    // The database first, through the database-only resolver: never cached here, so admin changes take effect at
    // once. This is the lookup's only database check; the pipeline (and the cache behind it) starts at the network.
    const known = await this.database.resolve(domain, address, onStep);
    if (known.config) return known;
    const discovered = await this.discover(domain, address, onStep);
    return { config: discovered.config, steps: [...known.steps, ...discovered.steps] };
  }

  /** Live discovery behind the cache. */
  private async discover(domain: string, address: EmailAddress | undefined, onStep: StepListener | undefined): Promise<Resolution> {
    const started = performance.now();
    // A fresh entry is answered without waiting for the cache's fetch machinery.
    if (this.cache.getRemainingTTL(domain) > 0) {
      const hit = this.cache.get(domain);
      if (hit) {
        this.stats.cacheHits++;
        return this.fromCache(domain, hit, 'cached', started, onStep);
      }
    }
    const status: LRUCache.Status<string, CachedLookup, LookupContext> = {};
    const cached = await this.cache.fetch(domain, { context: { address, onStep }, status });
    if (status.fetch === 'miss' && !status.returnedStale) this.stats.cacheMisses++;
    else this.stats.cacheHits++;
    if (!cached) return { steps: [{ kind: 'cache', subject: domain, outcome: 'failed', failure: 'internal', detail: 'the lookup failed', ms: Math.round(performance.now() - started) }] };
    const fresh = status.fetch === 'miss' && !status.returnedStale;
    if (fresh && cached.shared) return this.fromCache(domain, cached, 'looked up by another instance, shared through Redis', started, onStep);
    if (fresh) return { config: cached.result.config, steps: cached.result.steps };
    const how = status.returnedStale ? 'expired, refreshing in the background' : status.fetch === 'inflight' ? 'shared with a lookup already running' : 'cached';
    return this.fromCache(domain, cached, how, started, onStep);
  }

  needsDiscovery(domain: string): boolean {
    if (this.deps.store.current().byDomain(domain)) return false;
    // A fresh or an expired entry is answered at once (an expired one refreshes in the background, once).
    return this.cache.peek(domain, { allowStale: true }) === undefined;
  }

  private fromCache(domain: string, cached: CachedLookup, how: string, started: number, onStep: StepListener | undefined): Resolution {
    const age = Math.round((this.now() - cached.at) / 1000);
    const step: LookupStep = { kind: 'cache', subject: domain, outcome: cached.result.config ? 'found' : 'nothing', detail: `answered from the cache (${how}; looked up ${age} s ago)`, ms: Math.round(performance.now() - started) };
    onStep?.(step);
    return { config: cached.result.config, steps: [step, ...cached.result.steps] };
  }

  /** Runs the pipeline for a miss or an expired entry; chooses how long the answer lives. */
  private async refresh(
    domain: string,
    stale: CachedLookup | undefined,
    fetchOptions: LRUCache.FetcherFetchOptions<string, CachedLookup, LookupContext>,
    context: LookupContext | undefined,
  ): Promise<CachedLookup> {
    let release: (() => Promise<void>) | undefined;
    if (this.shared) {
      // Another instance may have it (or be looking it up right now): then this one sends no query of its own.
      const stored = (await this.shared.get(domain)) ?? (await this.claimOrWait(domain, (claim) => (release = claim)));
      if (stored) {
        fetchOptions.ttl = stored.ttlMs;
        return { result: stored.lookup.result, at: this.now() - Math.max(0, Date.now() - stored.lookup.at), shared: true };
      }
    }
    try {
      const result = await this.lookupSlots.run(domain, () => this.runLookup(domain, context));
      if (!result.config && stale?.result.config && !result.nxdomain && result.incomplete) {
        // A failed refresh keeps the old answer; try again after a short while.
        fetchOptions.ttl = NEGATIVE_TTL.min * 1000;
        return { ...stale, at: stale.at };
      }
      const bounds = result.config ? POSITIVE_TTL : NEGATIVE_TTL;
      const ttl = Math.min(bounds.max, Math.max(bounds.min, result.ttl ?? bounds.min));
      fetchOptions.ttl = ttl * 1000;
      await this.shared?.put(domain, { result, at: Date.now() }, ttl * 1000);
      return { result, at: this.now() };
    } finally {
      await release?.();
    }
  }

  /**
   * Takes the shared lookup lock (hands its release to `hold`), or, when another instance holds it, waits for that
   * instance's answer, at most one lookup deadline; undefined: this instance looks the domain up itself.
   */
  private async claimOrWait(domain: string, hold: (release: () => Promise<void>) => void): Promise<Awaited<ReturnType<SharedDiscoveryCache['get']>>> {
    const shared = this.shared!;
    const waitMs = (this.deps.options.lookupTimeoutMs || DEFAULT_LOOKUP_TIMEOUT_MS) + 1000;
    const claim = await shared.claim(domain, waitMs + 1000);
    if (claim !== false) {
      hold(claim);
      return undefined;
    }
    return shared.wait(domain, waitMs, this.deps.options.stop);
  }

  private async runLookup(domain: string, context: LookupContext | undefined): Promise<DiscoveryResult> {
    this.lookups++;
    const started = performance.now();
    try {
      const result = await discover(domain, context?.address, this.deps, context?.onStep);
      this.onLookup(result.config ? 'found' : 'nothing', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.onLookup('failed', (performance.now() - started) / 1000);
      // Steps report their own bugs; this is one around them (merging, the deadline). The request fails (503).
      this.bugs.report(error, { step: 'lookup', domain, address: context?.address?.address });
      throw error;
    }
  }

  /** Answers read from the shared cache and not found there (metrics); undefined without Redis. */
  get sharedStats(): { hits: number; misses: number } | undefined {
    return this.shared ? { hits: this.shared.hits, misses: this.shared.misses } : undefined;
  }

  /** Probe and fetch connections open now, and lookups running (metrics). */
  get open(): { connections: number; lookups: number } {
    return { connections: this.deps.limiter.active, lookups: this.lookupSlots.active };
  }

  /** Entries in the cache (for tests and metrics). */
  get cached(): number {
    return this.cache.size;
  }
}
