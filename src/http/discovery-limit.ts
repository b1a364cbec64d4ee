// What one client may ask of live discovery (DNS queries, HTTPS fetches and mail-port probes to other people's
// servers), beyond the general request limit:
// - a budget per minute (MAILCONFIG_DISCOVERY_RATE_LIMIT, default 60) of requests that start a discovery, tighter
//   than MAILCONFIG_RATE_LIMIT; counted in Redis when several instances share it, so it holds across them;
// - a share of the lookups running at once: at most 4 per client address, a few more queued, 429 beyond, so a client
//   asking for many slow unknown domains cannot fill the service's lookup slots and stall everyone else.
// Answers from the provider database or the cache cost neither (SettingsResolver.needsDiscovery tells).
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { EmailAddress } from '../settings/address.js';
import { MailconfigError } from '../settings/errors.js';
import type { Resolution, SettingsResolver } from '../settings/resolver.js';
import type { SharedState } from '../redis/shared-state.js';
import type { AbuseMetrics } from './abuse-metrics.js';

/** Over a discovery limit: a 429 in the route family's format (errors.ts), with Retry-After. */
export class DiscoveryRateLimitError extends MailconfigError {
  readonly statusCode = 429;
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super('MAILCONFIG_DISCOVERY_RATE_LIMITED', message);
  }
}

interface Window {
  start: number;
  count: number;
}

export interface DiscoveryShareOptions {
  /** Lookups one client may have running at once (default 4). */
  running?: number;
  /** Lookups one client may have waiting for its running ones (default 8); beyond: 429. */
  queued?: number;
}

interface ClientShare {
  running: number;
  waiting: (() => void)[];
}

export class DiscoveryBudget {
  private readonly windows: LRUCache<string, Window>;
  private readonly shares = new Map<string, ClientShare>();
  private readonly running: number;
  private readonly queued: number;

  constructor(
    readonly perMinute: number,
    private readonly metrics?: AbuseMetrics,
    private readonly now: () => number = Date.now,
    private readonly shared?: SharedState,
    share: DiscoveryShareOptions = {},
  ) {
    // Bounded like the general limiter: at most this many client addresses tracked.
    this.windows = new LRUCache({ max: 20_000 });
    this.running = share.running ?? 4;
    this.queued = share.queued ?? 8;
  }

  /** Takes one discovery from `client`'s minute; rejects with DiscoveryRateLimitError when it is spent. */
  async take(client: string): Promise<void> {
    if (this.perMinute <= 0) return;
    const now = this.now();
    const counted = this.shared ? await this.countShared(client, now) : undefined;
    const { count, resetAt } = counted ?? this.countLocal(client, now);
    if (count > this.perMinute) {
      this.metrics?.rateLimited('discovery');
      const retry = Math.max(1, Math.ceil((resetAt - now) / 1000));
      throw new DiscoveryRateLimitError(retry, `more than ${this.perMinute} lookups of unknown domains per minute from this address; retry in ${retry} s`);
    }
  }

  /**
   * Runs `lookup` within `client`'s share of the running lookups: at once when fewer than `running` are, after one
   * of them when fewer than `queued` wait, else a 429 at once.
   */
  async within<T>(client: string, lookup: () => Promise<T>): Promise<T> {
    let share = this.shares.get(client);
    if (!share) this.shares.set(client, (share = { running: 0, waiting: [] }));
    if (share.running >= this.running) {
      if (share.waiting.length >= this.queued) {
        if (share.running === 0 && share.waiting.length === 0) this.shares.delete(client);
        this.metrics?.rateLimited('discovery');
        throw new DiscoveryRateLimitError(1, `${this.running} lookups of unknown domains are already running for this address and ${this.queued} waiting; retry when they are done`);
      }
      await new Promise<void>((resolve) => share.waiting.push(resolve));
    }
    share.running++;
    try {
      return await lookup();
    } finally {
      share.running--;
      const next = share.waiting.shift();
      if (next) next();
      else if (share.running === 0) this.shares.delete(client);
    }
  }

  private countLocal(client: string, now: number): { count: number; resetAt: number } {
    let window = this.windows.get(client);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    // A refused request does not count against the next minute.
    if (window.count < this.perMinute) window.count++;
    else return { count: this.perMinute + 1, resetAt: window.start + 60_000 };
    return { count: window.count, resetAt: window.start + 60_000 };
  }

  /** The client's count this minute across all instances; undefined when Redis does not answer (counted locally). */
  private async countShared(client: string, now: number): Promise<{ count: number; resetAt: number } | undefined> {
    const minute = Math.floor(now / 60_000);
    const count = await this.shared!.increment(`drl:${client}:${minute}`, 61_000);
    return count === undefined ? undefined : { count, resetAt: (minute + 1) * 60_000 };
  }
}

/**
 * What every route calls instead of `deps.resolver.resolve`: a lookup that would start a discovery first takes one
 * from the client's discovery budget and runs within its share (database and cache answers do neither).
 */
export async function lookUp(deps: { resolver: SettingsResolver; discoveryBudget?: DiscoveryBudget | undefined }, request: FastifyRequest, domain: string, address?: EmailAddress): Promise<Resolution> {
  const budget = deps.discoveryBudget;
  if (!budget || !deps.resolver.needsDiscovery?.(domain)) return deps.resolver.resolve(domain, address);
  await budget.take(request.ip);
  return budget.within(request.ip, () => deps.resolver.resolve(domain, address));
}
