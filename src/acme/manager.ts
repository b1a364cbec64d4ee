// Certificates on demand: a handshake for a name without a certificate asks the policy, and an allowed name is ordered
// once (rate limit, per-name back-off, a lock across processes) and served from then on. Stored certificates are
// loaded at start and renewed in the background 30 days before they expire.
import { EventEmitter } from 'node:events';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, type Metric } from 'prom-client';
import type { CertificateSource, ClientHello } from '../tls/types.js';
import { ACME_TLS_ALPN } from './challenges.js';
import type { OrderLock } from './lock.js';
import { certificateName } from './names.js';
import type { IssuedCertificate } from './order.js';
import type { PolicyDecision } from './policy.js';
import type { CertificateStorage, StoredCertificate } from './storage.js';

/** What became of one request for a certificate. The first five are counted in mailconfig_acme_orders_total. */
export type OrderOutcome =
  | 'issued'
  | 'renewed'
  | 'refused'
  | 'failed'
  | 'rate_limited'
  /** Served already (from memory or the state directory); no order. */
  | 'present'
  /** The name failed recently and waits out its back-off. */
  | 'backoff'
  /** Another process holds the name's lock (it is ordering it). */
  | 'busy';

export interface OrderResult {
  name: string;
  outcome: OrderOutcome;
  reason: string;
}

export interface Orderer {
  order(name: string): Promise<IssuedCertificate>;
}

export interface Policy {
  decide(name: string): Promise<PolicyDecision>;
}

export type AcmeLog = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'debug'>;

export interface AcmeManagerOptions {
  directoryUrl: string;
  ordersPerHour: number;
  policy: Policy;
  storage: CertificateStorage;
  lock: OrderLock;
  /** Made once the account key is known (see start()). */
  orderer: (accountKey: string) => Orderer;
  createAccountKey: () => Promise<string>;
  log: AcmeLog;
  /** False in cluster workers that only serve: they load certificates and never order. */
  ordersCertificates?: boolean | undefined;
  /** Clock for renewal and back-off decisions. */
  now?: (() => number) | undefined;
  /** Renew this long before notAfter (default 30 days). */
  renewBeforeMs?: number;
  /** How often stored certificates are checked for renewal (default 1 hour); 0 = never by timer. */
  renewalCheckMs?: number;
  /** How long an order may hold the name's lock (default 10 minutes). */
  lockTtlMs?: number;
}

const MINUTE = 60_000;
/** Names decided or ordered at once from handshakes; more are dropped (a later handshake asks again). */
export const MAX_PENDING = 64;
const DAY = 24 * 60 * MINUTE;
export const FIRST_BACKOFF_MS = MINUTE;
export const MAX_BACKOFF_MS = DAY;

interface Served {
  stored: StoredCertificate;
  context: SecureContext;
}

interface Backoff {
  failures: number;
  until: number;
}

export class AcmeManager extends EventEmitter implements CertificateSource {
  private readonly served = new Map<string, Served>();
  private readonly inflight = new Map<string, Promise<OrderResult>>();
  /** Names the policy refused, kept a while so repeated handshakes cost a map lookup. */
  private readonly refused = new LRUCache<string, string>({ max: 10_000, ttl: 10 * MINUTE });
  private readonly backoff = new Map<string, Backoff>();
  private readonly now: () => number;
  private readonly counter: Counter<'outcome'>;
  private readonly gauge: Gauge;
  private orderer?: Orderer;
  private starting?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private rateLimitLogged = 0;
  /** While the hourly budget is used up: handshakes for allowed names cost no DNS question and no file read. */
  private budgetFreeAt = 0;
  private closed = false;

  constructor(private readonly options: AcmeManagerOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.counter = new Counter({
      name: 'mailconfig_acme_orders_total',
      help: 'ACME certificate requests by outcome (issued, renewed, refused by policy, failed, rate_limited)',
      labelNames: ['outcome'] as const,
      registers: [],
    });
    for (const outcome of ['issued', 'renewed', 'refused', 'failed', 'rate_limited'] as const) this.counter.labels({ outcome }).inc(0);
    const served = this.served;
    this.gauge = new Gauge({
      name: 'mailconfig_acme_certificates',
      help: 'Certificates obtained by ACME and served',
      registers: [],
      collect() {
        this.set(served.size);
      },
    });
  }

  /** The metrics to register with the service's registry. */
  metrics(): Metric[] {
    return [this.counter, this.gauge];
  }

  get ordersCertificates(): boolean {
    return this.options.ordersCertificates ?? true;
  }

  /** Loads the stored certificates and (in the ordering process) the account key; starts the renewal timer. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.reloadAll();
      if (this.ordersCertificates) {
        const key = await this.options.storage.accountKey(this.options.createAccountKey);
        this.orderer = this.options.orderer(key);
      }
      const every = this.options.renewalCheckMs ?? 60 * MINUTE;
      if (every > 0 && !this.closed) {
        this.timer = setInterval(() => void this.maintain(), every);
        this.timer.unref();
        if (this.ordersCertificates) setImmediate(() => void this.maintain());
      }
    })();
    return this.starting;
  }

  // --- serving (CertificateSource) -------------------------------------------------------------------------------

  contextFor(servername: string): SecureContext | undefined {
    return this.served.get(servername)?.context;
  }

  /** For TlsExtensions.onMissing: never throws, never logs per call, never waits. */
  onMissing(hello: ClientHello): void {
    // The CA's own tls-alpn-01 validation connections are never a reason to order.
    if (hello.alpnProtocols.includes(ACME_TLS_ALPN)) return;
    const name = certificateName(hello.servername);
    if (!name || this.served.has(name) || this.inflight.has(name) || this.refused.has(name)) return;
    // A flood of handshakes for new names (each a DNS question in the mx policy) is cut off here.
    if (this.inflight.size >= MAX_PENDING) return;
    if (!this.ordersCertificates) {
      this.emit('missing', name);
      return;
    }
    void this.ensure(name).catch((error: unknown) => this.options.log.error({ err: error, name }, 'ACME: unexpected error'));
  }

  /** Names being decided or ordered right now. */
  get pending(): number {
    return this.inflight.size;
  }

  /** Certificates served now (name, issuer, expiry), sorted by name. */
  list(): StoredCertificate[] {
    return [...this.served.values()].map((s) => s.stored).sort((a, b) => a.name.localeCompare(b.name));
  }

  // --- ordering --------------------------------------------------------------------------------------------------

  /** Makes sure `name` has a certificate: the promise settles when it is served, refused or failed. */
  ensure(raw: string): Promise<OrderResult> {
    const name = certificateName(raw);
    if (!name) return Promise.resolve(this.count({ name: raw, outcome: 'refused', reason: 'not a DNS host name' }));
    const current = this.served.get(name);
    if (current && !this.isDue(current.stored)) return Promise.resolve({ name, outcome: 'present', reason: 'already served' });
    const cachedRefusal = this.refused.get(name);
    if (cachedRefusal !== undefined) return Promise.resolve({ name, outcome: 'refused', reason: cachedRefusal });
    return this.oneAtATime(name, () => this.obtain(name, current ? 'renewal' : 'new', false));
  }

  /** Renews `name` now if it is due, or regardless with `force` (still subject to the policy and the rate limit). */
  renew(name: string, options: { force?: boolean } = {}): Promise<OrderResult> {
    return this.oneAtATime(name, () => this.obtain(name, 'renewal', options.force ?? false));
  }

  /** Renews every served certificate that is due, earliest expiry first, until the hourly budget is used up. */
  async renewDue(): Promise<OrderResult[]> {
    const due = this.list().filter((s) => this.isDue(s)).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime());
    const results: OrderResult[] = [];
    for (const stored of due) {
      if (this.closed) break;
      const result = await this.renew(stored.name);
      results.push(result);
      if (result.outcome === 'rate_limited') break;
    }
    return results;
  }

  private oneAtATime(name: string, work: () => Promise<OrderResult>): Promise<OrderResult> {
    const running = this.inflight.get(name);
    if (running) return running;
    const promise = work().finally(() => this.inflight.delete(name));
    this.inflight.set(name, promise);
    return promise;
  }

  private async obtain(name: string, kind: 'new' | 'renewal', force: boolean): Promise<OrderResult> {
    await this.start();
    if (!this.orderer) return { name, outcome: 'busy', reason: 'this process does not order certificates' };
    const waiting = this.backoff.get(name);
    if (waiting && waiting.until > this.now() && !force) return { name, outcome: 'backoff', reason: `failed ${waiting.failures}x; next try ${new Date(waiting.until).toISOString()}` };

    if (this.now() < this.budgetFreeAt) return { name, outcome: 'rate_limited', reason: `the hourly order budget is used up until ${new Date(this.budgetFreeAt).toISOString()}` };

    const decision = await this.options.policy.decide(name);
    if (!decision.allowed) {
      this.refused.set(name, decision.reason);
      // Debug only: handshakes for random names are cheap for an attacker, log lines are not.
      this.options.log.debug({ name, reason: decision.reason }, 'ACME: name refused by policy');
      return this.count({ name, outcome: 'refused', reason: decision.reason });
    }

    // Another process (or an earlier run) may have stored a certificate meanwhile.
    const stored = await this.loadStored(name);
    if (stored && !force && !this.isDue(stored)) {
      this.install(stored);
      return { name, outcome: 'present', reason: 'found in the state directory' };
    }
    const renewal = kind === 'renewal' || stored !== undefined;

    const recent = await this.options.storage.recentOrders(this.now());
    if (recent.length >= this.options.ordersPerHour) {
      this.budgetFreeAt = Math.min(...recent) + 60 * MINUTE;
      const reason = `${recent.length} orders in the last hour (MAILCONFIG_ACME_RATE=${this.options.ordersPerHour})`;
      if (this.now() - this.rateLimitLogged > 60 * MINUTE) {
        this.rateLimitLogged = this.now();
        this.options.log.warn({ name, ordersPerHour: this.options.ordersPerHour }, `ACME: rate limit reached: ${reason}; further orders wait`);
      }
      return this.count({ name, outcome: 'rate_limited', reason });
    }

    const lock = await this.options.lock.acquire(name, this.options.lockTtlMs ?? 10 * MINUTE);
    if (!lock) return { name, outcome: 'busy', reason: 'another process is ordering this name' };
    let result: OrderResult;
    try {
      // The holder before us may have stored it between our look above and the lock: then nothing is ordered twice.
      const meanwhile = await this.loadStored(name);
      if (meanwhile && !force && !this.isDue(meanwhile) && meanwhile.cert !== stored?.cert) {
        this.install(meanwhile);
        return { name, outcome: 'present', reason: 'stored by another process while this one waited for the lock' };
      }
      result = await this.orderLocked(name, renewal);
    } finally {
      await lock.release().catch((error: unknown) => this.options.log.error({ err: error, name }, 'ACME: lock release failed'));
    }
    // Counted (and announced) once the lock is gone, so a listener sees the state directory as it stays.
    if (result.outcome !== 'failed') this.emit('stored', name);
    return this.count(result);
  }

  private async orderLocked(name: string, renewal: boolean): Promise<OrderResult> {
    try {
      await this.options.storage.recordOrder(this.now());
      const started = this.now();
      const issued = await this.orderer!.order(name);
      const saved = await this.options.storage.save({ name, key: issued.key, cert: issued.cert, directoryUrl: this.options.directoryUrl });
      this.install(saved);
      this.backoff.delete(name);
      const outcome = renewal ? 'renewed' : 'issued';
      this.options.log.info({ name, issuer: saved.issuer, notAfter: saved.notAfter.toISOString(), ms: this.now() - started }, `ACME: certificate ${outcome} for ${name}`);
      return { name, outcome, reason: `valid until ${saved.notAfter.toISOString()}` };
    } catch (error) {
      const previous = this.backoff.get(name)?.failures ?? 0;
      const delay = Math.min(FIRST_BACKOFF_MS * 2 ** previous, MAX_BACKOFF_MS);
      const until = this.now() + delay;
      this.backoff.set(name, { failures: previous + 1, until });
      const reason = error instanceof Error ? error.message : String(error);
      // Once per failed order; handshakes during the back-off are not logged.
      this.options.log.warn({ name, failures: previous + 1, retryAt: new Date(until).toISOString(), code: (error as { code?: string }).code }, `ACME: order for ${name} failed: ${reason}`);
      return { name, outcome: 'failed', reason };
    }
  }

  private count(result: OrderResult): OrderResult {
    if (['issued', 'renewed', 'refused', 'failed', 'rate_limited'].includes(result.outcome)) this.counter.labels({ outcome: result.outcome }).inc();
    this.emit('outcome', result);
    this.emit(result.outcome, result);
    return result;
  }

  private isDue(stored: StoredCertificate): boolean {
    if (stored.directoryUrl !== this.options.directoryUrl) return true;
    return stored.notAfter.getTime() - this.now() < (this.options.renewBeforeMs ?? 30 * DAY);
  }

  // --- loading ---------------------------------------------------------------------------------------------------

  /** Re-reads one name from storage (after another process stored it); true when it is served now. */
  async reload(name: string, announce = true): Promise<boolean> {
    const stored = await this.loadStored(name);
    if (stored && this.install(stored) && announce && !this.ordersCertificates) {
      // Once per stored certificate in a serving-only worker: tells that the ordering worker's news arrived.
      this.options.log.info({ name, notAfter: stored.notAfter.toISOString() }, `ACME: serving the stored certificate for ${name}`);
    }
    return stored !== undefined;
  }

  /** Re-reads every stored certificate (start, SIGHUP). */
  async reloadAll(): Promise<void> {
    for (const name of await this.options.storage.names()) await this.reload(name, false);
  }

  private async loadStored(name: string): Promise<StoredCertificate | undefined> {
    try {
      const stored = await this.options.storage.load(name);
      if (stored && stored.notAfter.getTime() <= this.now()) return undefined;
      return stored;
    } catch (error) {
      this.options.log.warn({ name, code: (error as { code?: string }).code }, `ACME: stored certificate for ${name} skipped: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Serves `stored`; false when exactly that certificate is served already. */
  private install(stored: StoredCertificate): boolean {
    const current = this.served.get(stored.name);
    if (current && current.stored.cert === stored.cert) return false;
    this.served.set(stored.name, { stored, context: createSecureContext({ key: stored.key, cert: stored.cert }) });
    this.refused.delete(stored.name);
    return true;
  }

  /**
   * The hourly background pass (also run at start): renew what is due; stop serving what expired anyway, so the next
   * handshake for it asks for a new order again. Serving-only processes re-read the state directory instead.
   */
  async maintain(): Promise<void> {
    try {
      if (this.ordersCertificates) await this.renewDue();
      else await this.reloadAll();
    } catch (error) {
      this.options.log.error({ err: error }, 'ACME: renewal check failed');
    }
    for (const [name, served] of this.served) {
      if (served.stored.notAfter.getTime() <= this.now()) {
        this.served.delete(name);
        this.options.log.warn({ name }, `ACME: certificate for ${name} expired without a renewal; serving the default certificate`);
      }
    }
  }


  /** Stops the renewal timer; orders in flight are waited for up to `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const pending = [...this.inflight.values()];
    if (pending.length === 0) return;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(pending), new Promise((resolve) => (timeout = setTimeout(resolve, graceMs)))]);
    clearTimeout(timeout);
  }
}
