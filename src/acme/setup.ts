// Builds the ACME engine from the configuration and plugs it into the HTTPS listener's seam (src/tls/types.ts):
// challenge responders first, issued certificates next, orders for names nobody has a certificate for.
import { join } from 'node:path';
import { DnsClient, systemDnsServers, type DnsServer, type Resolver } from '../discovery/dns.js';
import type { ProviderStore } from '../providers/store.js';
import type { ClusterMessage, ProcessRole, TlsExtensions } from '../tls/types.js';
import { PendingChallenges } from './challenges.js';
import { AcmeConfigError, type AcmeConfig } from './config.js';
import { FileOrderLock } from './lock.js';
import { AcmeManager, type AcmeLog, type AcmeManagerOptions } from './manager.js';
import { OrderClient } from './order.js';
import { NamePolicy } from './policy.js';
import { FileCertificateStorage, type CertificateStorage } from './storage.js';
import { SharedCertificateStorage, SharedOrderLock } from './shared.js';
import { certificateName } from './names.js';
import type { SharedState } from '../redis/shared-state.js';

export interface AcmeSetup {
  config: AcmeConfig;
  providers: ProviderStore;
  /** Read at each log call, so the service can hand over its logger once it exists. */
  log: AcmeLog;
  role?: ProcessRole;
  /** DNS for the `mx` policy; default: a client for `dnsServers` (MAILCONFIG_DNS) or the system's servers. */
  dns?: Resolver;
  dnsServers?: DnsServer[] | undefined;
  /** Redis (MAILCONFIG_REDIS_URL): account, certificates, locks and challenges shared with the other instances. */
  shared?: SharedState | undefined;
  /** Tests: a faster status polling, a clock, renewal timing. */
  tuning?: Pick<AcmeManagerOptions, 'now' | 'renewBeforeMs' | 'renewalCheckMs' | 'lockTtlMs'> & { backoffMinMs?: number };
}

export interface Acme {
  manager: AcmeManager;
  challenges: PendingChallenges;
  storage: FileCertificateStorage;
  /** What the manager reads and writes: the state directory, or Redis over it. */
  sharedStorage: CertificateStorage;
  extensions: TlsExtensions;
  /** Creates the state directory, loads stored certificates and the account key, starts renewals. */
  start(): Promise<void>;
}

/** Builds and starts the engine (tests; the service builds first and starts once its logger exists). */
export async function startAcme(setup: AcmeSetup): Promise<Acme> {
  const acme = createAcme(setup);
  await acme.start();
  return acme;
}

/** Builds the engine without any I/O and without logging: nothing runs before start(). */
export function createAcme(setup: AcmeSetup): Acme {
  const { config } = setup;
  const role = setup.role ?? { worker: 0, workers: 1, ordersCertificates: true };
  const storage = new FileCertificateStorage(config.stateDir);
  const { shared } = setup;
  const sharedStorage = shared ? new SharedCertificateStorage(shared, storage) : storage;
  const fileLock = new FileOrderLock(storage.locksDir, setup.tuning?.now);
  // In the state directory too: another worker (or instance) may receive the CA's validation request.
  const challenges = new PendingChallenges(join(config.stateDir, 'challenges'), shared);
  // DNS checks that a name points at the service (both policies, when its own names are known) and reads MX (`mx`).
  const needsDns = config.names === 'mx' || config.hostnames.length > 0;
  const dns = setup.dns ?? (needsDns ? new DnsClient({ servers: setup.dnsServers ?? systemDnsServers() }) : undefined);
  const policy = new NamePolicy({ mode: config.names, hostnames: config.hostnames, providers: setup.providers, dns, now: setup.tuning?.now });
  const manager = new AcmeManager({
    directoryUrl: config.directoryUrl,
    ordersPerHour: config.ordersPerHour,
    policy,
    storage: sharedStorage,
    lock: shared ? new SharedOrderLock(shared, fileLock) : fileLock,
    createAccountKey: OrderClient.createAccountKey,
    orderer: (accountKey) =>
      new OrderClient({ directoryUrl: config.directoryUrl, accountKey, email: config.email, challenge: config.challenge, challenges, directoryCa: config.directoryCa, backoffMinMs: setup.tuning?.backoffMinMs }),
    log: setup.log,
    ordersCertificates: role.ordersCertificates,
    ...setup.tuning,
  });
  let detach = () => {};
  const start = async () => {
    try {
      await storage.prepare();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new AcmeConfigError(`MAILCONFIG_STATE_DIR=${config.stateDir} cannot be created or made private (0700): ${code}`);
    }
    await manager.start();
    const detachers = [role.workers > 1 ? connectCluster(manager) : undefined, shared ? connectInstances(manager, shared) : undefined];
    detach = () => {
      for (const stop of detachers) stop?.();
    };
  };
  const extensions: TlsExtensions = {
    sources: [challenges, manager],
    onMissing: (hello) => manager.onMissing(hello),
    challenges,
    close: async () => {
      detach();
      await manager.close();
    },
    reload: () => manager.reloadAll(),
  };
  return { manager, challenges, storage, sharedStorage, extensions, start };
}

/**
 * Cluster workers: a serving-only worker forwards names it lacks (`tls:missing`, at most once a minute per name) and
 * reloads names the ordering worker stored (`tls:issued`); the ordering worker orders forwarded names.
 */
function connectCluster(manager: AcmeManager): () => void {
  const send = (message: ClusterMessage) => {
    if (process.send && process.connected) process.send(message);
  };
  const forwarded = new Map<string, number>();
  const onMissing = (name: string) => {
    const last = forwarded.get(name) ?? 0;
    if (Date.now() - last < 60_000) return;
    if (forwarded.size > 10_000) forwarded.clear();
    forwarded.set(name, Date.now());
    send({ kind: 'tls:missing', servername: name });
  };
  const onStored = (name: string) => send({ kind: 'tls:issued', servername: name });
  const onMessage = (message: unknown) => {
    const m = message as Partial<ClusterMessage> | null;
    if (!m || typeof m.servername !== 'string') return;
    if (m.kind === 'tls:missing' && manager.ordersCertificates) manager.onMissing({ servername: m.servername, alpnProtocols: [] });
    if (m.kind === 'tls:issued' && !manager.ordersCertificates) void manager.reload(m.servername);
  };
  manager.on('missing', onMissing);
  manager.on('stored', onStored);
  process.on('message', onMessage);
  return () => {
    manager.off('missing', onMissing);
    manager.off('stored', onStored);
    process.off('message', onMessage);
  };
}

/** Instances sharing Redis: a certificate one of them stored is served by the others at once (`acme:stored`). */
function connectInstances(manager: AcmeManager, shared: SharedState): () => void {
  const onStored = (name: string) => void shared.publish(STORED_CHANNEL, name);
  const unsubscribe = shared.subscribe(STORED_CHANNEL, (name) => {
    if (certificateName(name) === name) void manager.reload(name);
  });
  manager.on('stored', onStored);
  return () => {
    manager.off('stored', onStored);
    unsubscribe();
  };
}

const STORED_CHANNEL = 'acme:stored';

/** A logger that looks up its target at each call (the service's logger is made after the engine). */
export function forwardLog(target: () => AcmeLog): AcmeLog {
  return {
    info: (...args: Parameters<AcmeLog['info']>) => target().info(...args),
    warn: (...args: Parameters<AcmeLog['warn']>) => target().warn(...args),
    error: (...args: Parameters<AcmeLog['error']>) => target().error(...args),
    debug: (...args: Parameters<AcmeLog['debug']>) => target().debug(...args),
  } as AcmeLog;
}
