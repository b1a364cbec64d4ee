// ACME state shared by several instances through Redis (MAILCONFIG_REDIS_URL): the account key, the certificates,
// the order locks, the orders of the last hour and the http-01 answers, so each name is ordered once across all
// instances and any instance answers the CA's validation request for an order another one placed. The state
// directory stays underneath as each instance's own copy: with Redis down an instance serves and renews from it, and
// the certificates it already holds keep being served.
import type { SharedState } from '../redis/shared-state.js';
import type { HeldLock, OrderLock } from './lock.js';
import { describeCertificate, recentOrderTimes, type CertificateStorage, type StoredCertificate } from './storage.js';

const ACCOUNT = 'acme:account';
const ORDERS = 'acme:orders';
const certKey = (name: string) => `acme:cert:${name}`;
const HOUR = 3600_000;

interface CertificateRecord {
  name: string;
  key: string;
  cert: string;
  directoryUrl: string;
}

export class SharedCertificateStorage implements CertificateStorage {
  constructor(
    private readonly shared: SharedState,
    /** This instance's own copy (the state directory). */
    private readonly local: CertificateStorage,
  ) {}

  async accountKey(create: () => Promise<string>): Promise<string> {
    const known = await this.shared.get(ACCOUNT);
    if (known) return this.local.accountKey(async () => known);
    // The local key (made now, or before Redis was configured) is offered; whoever wrote first wins.
    const mine = await this.local.accountKey(create);
    const written = await this.shared.putIfAbsent(ACCOUNT, mine);
    if (written !== false) return mine;
    return (await this.shared.get(ACCOUNT)) ?? mine;
  }

  async load(name: string): Promise<StoredCertificate | undefined> {
    const text = await this.shared.get(certKey(name));
    const record = text === undefined ? undefined : parseRecord(text, name);
    const local = await this.local.load(name).catch(() => undefined);
    if (!record) return local;
    const remote = describeCertificate(name, record.key, record.cert, record.directoryUrl);
    // Of the two copies, the one valid longer; the local copy catches up, so a Redis outage later still has it.
    if (local && local.notAfter >= remote.notAfter) return local;
    return this.local.save(record).catch(() => remote);
  }

  async save(certificate: CertificateRecord): Promise<StoredCertificate> {
    const saved = await this.local.save(certificate);
    const record: CertificateRecord = { name: saved.name, key: saved.key, cert: saved.cert, directoryUrl: saved.directoryUrl };
    await this.shared.put(certKey(saved.name), JSON.stringify(record));
    return saved;
  }

  async names(): Promise<string[]> {
    const remote = (await this.shared.keys('acme:cert:')) ?? [];
    const names = new Set([...(await this.local.names()), ...remote.map((key) => key.slice('acme:cert:'.length))]);
    return [...names].sort();
  }

  async recentOrders(now: number): Promise<number[]> {
    const text = await this.shared.get(ORDERS);
    return text === undefined ? this.local.recentOrders(now) : recentOrderTimes(text, now);
  }

  async recordOrder(at: number): Promise<void> {
    await this.local.recordOrder(at);
    const times = [...(await this.recentOrders(at)), at].sort((a, b) => a - b);
    await this.shared.set(ORDERS, JSON.stringify(times), HOUR);
  }
}

function parseRecord(text: string, name: string): CertificateRecord | undefined {
  try {
    const data = JSON.parse(text) as Partial<CertificateRecord> | null;
    if (!data || data.name !== name || typeof data.key !== 'string' || typeof data.cert !== 'string') return undefined;
    return { name, key: data.key, cert: data.cert, directoryUrl: typeof data.directoryUrl === 'string' ? data.directoryUrl : '' };
  } catch {
    return undefined;
  }
}

/** The order lock in Redis (SET NX PX, released only by its holder); Redis not answering: the local lock decides. */
export class SharedOrderLock implements OrderLock {
  constructor(
    private readonly shared: SharedState,
    private readonly local: OrderLock,
  ) {}

  async acquire(name: string, ttlMs: number): Promise<HeldLock | undefined> {
    const key = `acme:order-lock:${name}`;
    const token = await this.shared.lock(key, ttlMs);
    if (token === false) return undefined;
    // The local lock too: the workers of one instance share the state directory, and without Redis it is all there is.
    const local = await this.local.acquire(name, ttlMs);
    if (!local) {
      if (token) await this.shared.unlock(key, token);
      return undefined;
    }
    return {
      release: async () => {
        await local.release();
        if (token) await this.shared.unlock(key, token);
      },
    };
  }
}
