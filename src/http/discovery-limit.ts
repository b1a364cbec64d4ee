// A tighter budget for requests that start a live discovery (DNS queries, HTTPS fetches and mail-port probes to
// other people's servers) than for answers from the provider database or the cache: MAILCONFIG_DISCOVERY_RATE_LIMIT
// per minute per client address (default 60; the general limit is MAILCONFIG_RATE_LIMIT). The resolver says whether
// an answer needs discovery (SettingsResolver.needsDiscovery); only those requests are counted.
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { EmailAddress } from '../settings/address.js';
import { MailconfigError } from '../settings/errors.js';
import type { Resolution, SettingsResolver } from '../settings/resolver.js';
import type { AbuseMetrics } from './abuse-metrics.js';

/** Over the discovery budget: a 429 in the route family's format (errors.ts), with Retry-After. */
export class DiscoveryRateLimitError extends MailconfigError {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number, perMinute: number) {
    super('MAILCONFIG_DISCOVERY_RATE_LIMITED', `more than ${perMinute} lookups of unknown domains per minute from this address; retry in ${retryAfterSeconds} s`);
  }
}

interface Window {
  start: number;
  count: number;
}

export class DiscoveryBudget {
  private readonly windows: LRUCache<string, Window>;

  constructor(
    readonly perMinute: number,
    private readonly metrics?: AbuseMetrics,
    private readonly now: () => number = Date.now,
  ) {
    // Bounded like the general limiter: at most this many client addresses tracked.
    this.windows = new LRUCache({ max: 20_000 });
  }

  /** Takes one discovery for `client`; throws DiscoveryRateLimitError when the minute's budget is spent. */
  take(client: string): void {
    const now = this.now();
    let window = this.windows.get(client);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    if (window.count >= this.perMinute) {
      this.metrics?.rateLimited('discovery');
      throw new DiscoveryRateLimitError(Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)), this.perMinute);
    }
    window.count++;
  }
}

/**
 * What every route calls instead of `deps.resolver.resolve`: a lookup that would start a discovery first takes
 * one from the client's discovery budget (database and cache answers never do).
 */
export function lookUp(deps: { resolver: SettingsResolver; discoveryBudget?: DiscoveryBudget | undefined }, request: FastifyRequest, domain: string, address?: EmailAddress): Promise<Resolution> {
  if (deps.discoveryBudget && deps.resolver.needsDiscovery?.(domain)) deps.discoveryBudget.take(request.ip);
  return deps.resolver.resolve(domain, address);
}
