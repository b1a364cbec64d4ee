// Discovery answers shared by every instance through Redis (MAILCONFIG_REDIS_URL), behind each instance's own LRU:
// a domain one instance discovered (found or nothing found) is answered by the others without a DNS question or a
// probe of their own, until its TTL ends. A cold domain is looked up once: the first instance takes a lock with an
// expiry, the others wait for its answer (a notice on a channel, bounded by the lookup deadline) or, when it does not
// come, look it up themselves. Redis not answering: every call returns at once and each instance discovers alone.
import type { SharedState } from '../redis/shared-state.js';
import type { DiscoveryResult } from './pipeline.js';

/** A discovery answer as stored: the result, and when it was looked up (wall clock, shared by the instances). */
export interface SharedLookup {
  result: DiscoveryResult;
  /** Date.now() when the lookup finished. */
  at: number;
}

const DONE = 'disc:done';
const keyOf = (domain: string) => `disc:${domain}`;
const lockOf = (domain: string) => `disc-lock:${domain}`;

export class SharedDiscoveryCache {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Answers read from Redis, answers Redis did not have (for the metrics). */
  hits = 0;
  misses = 0;

  constructor(private readonly state: SharedState) {
    state.subscribe(DONE, (domain) => {
      for (const wake of this.waiters.get(domain) ?? []) wake();
    });
  }

  /** The stored answer and its remaining lifetime (ms), or undefined (none, or Redis not answering). */
  async get(domain: string): Promise<{ lookup: SharedLookup; ttlMs: number } | undefined> {
    const [text, ttlMs] = await Promise.all([this.state.get(keyOf(domain)), this.state.ttl(keyOf(domain))]);
    const lookup = text === undefined ? undefined : parse(text);
    if (!lookup || ttlMs === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return { lookup, ttlMs };
  }

  /**
   * The right to look `domain` up for every instance, for at most `ttlMs`: a release function when this instance has
   * it (or Redis does not answer, so it decides alone), `false` when another instance is looking it up.
   */
  async claim(domain: string, ttlMs: number): Promise<(() => Promise<void>) | false> {
    const token = await this.state.lock(lockOf(domain), ttlMs);
    if (token === false) return false;
    return token === undefined ? async () => {} : () => this.state.unlock(lockOf(domain), token);
  }

  /** Waits (at most `ms`) for the instance holding the lock to store its answer. */
  async wait(domain: string, ms: number, signal?: AbortSignal): Promise<{ lookup: SharedLookup; ttlMs: number } | undefined> {
    if (!this.state.available) return undefined;
    let wake = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    let set = this.waiters.get(domain);
    if (!set) this.waiters.set(domain, (set = new Set()));
    set.add(wake);
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
    try {
      // The answer may have been stored between the lock attempt and the subscription: look once before waiting.
      const early = await this.get(domain);
      if (early) return early;
      await woken;
      return signal?.aborted ? undefined : await this.get(domain);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(domain);
    }
  }

  /** Stores an answer for `ttlMs` and tells the waiting instances. */
  async put(domain: string, lookup: SharedLookup, ttlMs: number): Promise<void> {
    if (await this.state.set(keyOf(domain), JSON.stringify(lookup), ttlMs)) await this.state.publish(DONE, domain);
  }
}

function parse(text: string): SharedLookup | undefined {
  try {
    const value = JSON.parse(text) as Partial<SharedLookup> | null;
    const result = value?.result;
    if (!value || typeof value.at !== 'number' || !result || !Array.isArray(result.steps) || typeof result.nxdomain !== 'boolean') return undefined;
    return { result, at: value.at };
  } catch {
    return undefined;
  }
}
