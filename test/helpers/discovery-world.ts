// A small simulated Internet on loopback for discovery tests: a fake DNS zone, fake mail and web servers on
// 127.0.2.x / 127.0.3.x with random ports mapped to the standard ones, a test CA, and resolvers wired to all of it.
import { loadProviderText, ProviderIndex, type ProviderEntry } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { DiscoveryResolver, type DiscoveryResolverOptions } from '../../src/discovery/resolver.js';
import { makeTestPki, type Pem, type TestPki } from './certs.js';
import { startFakeDns, type FakeDns, type FakeDnsOptions, type Zone } from './fake-dns.js';
import { startFakeWeb, type FakeWeb, type FakeWebOptions } from './fake-web.js';
import { startFakeImap, startFakePop3, startFakeSmtp, type FakeServer, type FakeServerOptions } from './mail-servers.js';

/** The networks tests may reach; 127.0.1.x belongs to the prober's own tests, 127.0.5.x is "forbidden". */
export const TEST_NETWORKS = ['127.0.2.0/24', '127.0.3.0/24'];
/** Nothing listens here: an unmapped standard port is refused at once. */
const CLOSED_PORT = 9;

export interface World {
  dns: FakeDns;
  pki: TestPki;
  /** Where a standard port of an address really listens. */
  mapPort(ip: string, standardPort: number): number;
  /** Maps a standard port of an address to a listener started elsewhere (a tripwire). */
  route(ip: string, standardPort: number, actualPort: number): void;
  imap(ip: string, standardPort: number, options: Omit<FakeServerOptions, 'host'>): Promise<FakeServer>;
  pop3(ip: string, standardPort: number, options: Omit<FakeServerOptions, 'host'>): Promise<FakeServer>;
  smtp(ip: string, standardPort: number, options: Omit<FakeServerOptions, 'host'>): Promise<FakeServer>;
  /** An HTTPS server on 443 (or HTTP on 80 without `pem`). */
  web(ip: string, options: Omit<FakeWebOptions, 'host'>): Promise<FakeWeb>;
  /** Options for a DiscoveryResolver that only ever talks to this world. */
  options(extra?: Partial<DiscoveryResolverOptions>): DiscoveryResolverOptions;
  resolver(extra?: Partial<DiscoveryResolverOptions>, providers?: ProviderEntry[]): DiscoveryResolver;
  close(): Promise<void>;
}

/** Certificates name every test domain and, by wildcard, every host under it. */
export async function startWorld(zone: Zone, domains: string[], dnsOptions: Partial<FakeDnsOptions> = {}): Promise<World> {
  const pki = await makeTestPki(domains.flatMap((d) => [d, `*.${d}`]));
  const dns = await startFakeDns({ ...dnsOptions, zone });
  const ports = new Map<string, number>();
  const closers: (() => Promise<void>)[] = [() => dns.close()];
  const register = <T extends { port: number; close(): Promise<void> }>(ip: string, standard: number, server: T): T => {
    ports.set(`${ip}:${standard}`, server.port);
    closers.push(() => server.close());
    return server;
  };
  const world: World = {
    dns,
    pki,
    mapPort: (ip, standard) => ports.get(`${ip}:${standard}`) ?? CLOSED_PORT,
    route: (ip, standard, actual) => void ports.set(`${ip}:${standard}`, actual),
    imap: async (ip, standard, options) => register(ip, standard, await startFakeImap({ ...options, host: ip })),
    pop3: async (ip, standard, options) => register(ip, standard, await startFakePop3({ ...options, host: ip })),
    smtp: async (ip, standard, options) => register(ip, standard, await startFakeSmtp({ ...options, host: ip })),
    web: async (ip, options) => register(ip, options.pem ? 443 : 80, await startFakeWeb({ ...options, host: ip })),
    options: (extra = {}) => ({
      dnsServers: [{ address: dns.address, port: dns.port }],
      allowNetworks: TEST_NETWORKS,
      lookupTimeoutMs: 5000,
      autoconfigHttp: false,
      ca: [pki.ca],
      mapPort: world.mapPort,
      dnsTimeoutMs: 1000,
      fetchTimeoutMs: 2000,
      probeTimeoutMs: 2000,
      random: () => 0,
      ...extra,
    }),
    resolver: (extra = {}, providers = []) => new DiscoveryResolver(new StaticProviderStore(new ProviderIndex(providers)), world.options(extra)),
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
  return world;
}

/** A provider file as the database would hold it, e.g. a hoster with `<domain purpose="mx">`. */
export function providerEntry(file: string, xml: string): ProviderEntry {
  const { entry, problems } = loadProviderText(file, xml);
  if (!entry) throw new Error(`test provider ${file} is invalid: ${problems.map((p) => p.message).join('; ')}`);
  return entry;
}

export type { Pem };
