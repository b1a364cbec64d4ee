// Failed admin authentications, counted per client address: after a few failures in a minute the address is refused
// with 429 and Retry-After before any token is compared, for a time that doubles with each new block (up to an
// hour). Guessing a 16+ character token at a few tries a minute is hopeless; without this it was 790 a second.
import { LRUCache } from 'lru-cache';

export interface AdminGuardOptions {
  /** Failures allowed per window before the address is blocked. */
  maxFailures?: number;
  windowMs?: number;
  /** First block; each further block doubles it. */
  blockMs?: number;
  maxBlockMs?: number;
  now?: () => number;
}

interface ClientRecord {
  failures: number;
  windowStart: number;
  blockedUntil: number;
  /** Blocks so far (the backoff exponent); forgotten after a success or a quiet hour (the LRU's TTL). */
  blocks: number;
}

export type GuardCheck = { ok: true } | { ok: false; retryAfterSeconds: number };

export class AdminAuthGuard {
  private readonly clients: LRUCache<string, ClientRecord>;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly maxBlockMs: number;
  private readonly now: () => number;

  constructor(options: AdminGuardOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.maxBlockMs = options.maxBlockMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    // Bounded: a flood from many addresses cannot grow memory; an address forgotten early only gets a fresh count.
    this.clients = new LRUCache({ max: 10_000, ttl: this.maxBlockMs + this.windowMs, ttlAutopurge: false });
  }

  /** Before the token is looked at: is this client blocked? */
  check(client: string): GuardCheck {
    const record = this.clients.get(client);
    const now = this.now();
    if (record && record.blockedUntil > now) return { ok: false, retryAfterSeconds: Math.ceil((record.blockedUntil - now) / 1000) };
    return { ok: true };
  }

  /** A wrong or missing token: counts it; the answer says whether this failure started a block (and for how long). */
  failed(client: string): { failures: number; blockedForSeconds?: number | undefined } {
    const now = this.now();
    const record = this.clients.get(client) ?? { failures: 0, windowStart: now, blockedUntil: 0, blocks: 0 };
    if (now - record.windowStart >= this.windowMs) {
      record.failures = 0;
      record.windowStart = now;
    }
    record.failures++;
    let blockedForSeconds: number | undefined;
    if (record.failures >= this.maxFailures) {
      const ms = Math.min(this.maxBlockMs, this.blockMs * 2 ** record.blocks);
      record.blocks++;
      record.blockedUntil = now + ms;
      record.failures = 0;
      record.windowStart = now + ms;
      blockedForSeconds = Math.ceil(ms / 1000);
    }
    this.clients.set(client, record);
    return { failures: record.failures, blockedForSeconds };
  }

  /** A valid token: the client's count starts again. */
  succeeded(client: string): void {
    this.clients.delete(client);
  }
}
