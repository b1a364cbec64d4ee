// Discovery on a simulated network: fake DNS and mail servers on loopback that add 50 ms to every answer.
// Compares a cold lookup (steps in parallel) with the same steps run one after another as Thunderbird does (built
// here from the pipeline's own step functions; production has no sequential mode), and with the slowest single
// chain of dependent round trips; then warm (cached) lookups against database hits.
// Run by bench/run.ts (`npm run bench`).
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConnectionLimiter } from '../src/discovery/limiter.js';
import { DnsClient } from '../src/discovery/dns.js';
import { probe } from '../src/discovery/probe/index.js';
import { autoconfigHostUrl, fetchAutoconfig, wellKnownUrl } from '../src/discovery/autoconfig.js';
import { autodiscoverRequest, autodiscoverUrl } from '../src/discovery/autodiscover.js';
import { fetchVetted } from '../src/discovery/fetch.js';
import { StepLog, type LookupContext } from '../src/discovery/context.js';
import { LookupDns } from '../src/discovery/hosts.js';
import { mergeFindings, viaHttps } from '../src/discovery/merge.js';
import { mxAutoconfig, mxLookup } from '../src/discovery/mx.js';
import { createNetworkGuard } from '../src/discovery/network-guard.js';
import { limitsOf } from '../src/discovery/options.js';
import { planCandidates, probeCandidates, type ProbeAttempt } from '../src/discovery/probing.js';
import { srvLookup } from '../src/discovery/srv.js';
import { DiscoveryResolver, type DiscoveryResolverOptions } from '../src/discovery/resolver.js';
import { BUNDLED_PROVIDERS } from '../src/config.js';
import { openProviderDatabase, ProviderIndex } from '../src/providers/database.js';
import { StaticProviderStore } from '../src/providers/store.js';
import { startWorld, TEST_NETWORKS, type World } from '../test/helpers/discovery-world.js';
import { AUTODISCOVER, DEAD_SRV, SHARED, type CaseName, type WorldInfo } from './case-worlds.js';
import { startTestServer } from '../test/helpers/server.js';

const HOP_MS = 50;
const COLD_RUNS = 7;
const WARM_MS = 1000;
const HTTP_SECONDS = 1;
const HTTP_ROUNDS = 3;
const DOMAIN = 'bench.test';
const SERVERS = '127.0.3.100';
const GUESSED = '127.0.3.101';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** A domain that only SRV records and probing can answer: the longest way through the pipeline. */
async function simulatedNetwork(): Promise<World> {
  const world = await startWorld(
    {
      [`_imaps._tcp.${DOMAIN}`]: { SRV: [{ priority: 0, weight: 1, port: 993, target: `box.${DOMAIN}` }] },
      [`_submission._tcp.${DOMAIN}`]: { SRV: [{ priority: 0, weight: 1, port: 587, target: `box.${DOMAIN}` }] },
      [`box.${DOMAIN}`]: { A: [SERVERS] },
      [`imap.${DOMAIN}`]: { A: [GUESSED] },
      [`pop3.${DOMAIN}`]: { A: [GUESSED] },
      [`smtp.${DOMAIN}`]: { A: [GUESSED] },
    },
    [DOMAIN],
    { delayMs: HOP_MS },
  );
  const tls = { pem: world.pki.valid, delayMs: HOP_MS };
  await world.imap(SERVERS, 993, { mode: 'tls', ...tls });
  await world.smtp(SERVERS, 587, { mode: 'starttls', ...tls });
  await world.imap(GUESSED, 993, { mode: 'tls', ...tls });
  await world.pop3(GUESSED, 995, { mode: 'tls', ...tls });
  await world.smtp(GUESSED, 465, { mode: 'tls', ...tls });
  return world;
}

async function coldLookup(world: World): Promise<number> {
  const resolver = world.resolver();
  const started = performance.now();
  const { config } = await resolver.resolve(DOMAIN);
  if (!config) throw new Error('the simulated domain was not discovered');
  return performance.now() - started;
}

/**
 * The same steps one after another, the reference client's way: the domain's autoconfig, its .well-known file, MX,
 * the MX domain's autoconfig, SRV, then probing; each step waits for the one before and a found file ends it.
 */
async function sequentialLookup(world: World): Promise<number> {
  const options = world.options();
  const guard = createNetworkGuard(options.allowNetworks);
  const signal = new AbortController().signal;
  const ctx: LookupContext = {
    domain: DOMAIN,
    index: new ProviderIndex([]),
    dns: new LookupDns(new DnsClient({ servers: options.dnsServers, timeoutMs: options.dnsTimeoutMs }), guard, signal),
    guard,
    limiter: new ConnectionLimiter({ global: 64, perDomain: 8 }),
    options,
    limits: limitsOf(options),
    signal,
    deadlineAt: performance.now() + options.lookupTimeoutMs,
    log: new StepLog(),
    bug: (error) => {
      throw error;
    },
  };
  const started = performance.now();
  const own = (await fetchAutoconfig(ctx, 'autoconfig', autoconfigHostUrl(ctx, DOMAIN), 'autoconfig')) ?? (await fetchAutoconfig(ctx, 'well-known', wellKnownUrl(ctx, DOMAIN), 'autoconfig'));
  if (own && viaHttps(own)) return performance.now() - started;
  const mx = await mxLookup(ctx);
  if (mx.config || own || (await mxAutoconfig(ctx, mx))) return performance.now() - started;
  const srv = await srvLookup(ctx);
  const attempts: ProbeAttempt[] = [];
  await probeCandidates(ctx, planCandidates(DOMAIN, srv, mx), attempts);
  if (!mergeFindings(DOMAIN, { mx, srv, attempts })) throw new Error('the simulated domain was not discovered step by step');
  return performance.now() - started;
}

/** The longest chain of answers that depend on each other: SRV, then the target's address, then the STARTTLS dialogue. */
async function slowestChain(world: World): Promise<number> {
  const dns = new DnsClient({ servers: [{ address: world.dns.address, port: world.dns.port }] });
  const started = performance.now();
  const srv = await dns.query(`_submission._tcp.${DOMAIN}`, 'SRV');
  const target = srv.records[0]?.target ?? '';
  const address = (await dns.query(target, 'A')).records[0]?.address ?? '';
  const result = await probe({ host: target, address, port: world.mapPort(address, 587), protocol: 'smtp', security: 'starttls' }, { timeoutMs: 5000, ca: [world.pki.ca] });
  if (!result.ok) throw new Error(`chain probe failed: ${result.error}`);
  return performance.now() - started;
}

async function perSecond(fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < WARM_MS) {
    for (let i = 0; i < 200; i++) await fn();
    count += 200;
  }
  return count / ((performance.now() - started) / 1000);
}

export async function benchDiscovery(): Promise<string[]> {
  const world = await simulatedNetwork();
  try {
    await coldLookup(world); // warm up TLS contexts and the module cache
    const chain = median(await sequence(3, () => slowestChain(world)));
    const parallel = median(await sequence(COLD_RUNS, () => coldLookup(world)));
    const sequential = median(await sequence(COLD_RUNS, () => sequentialLookup(world)));

    const { index } = await openProviderDatabase(BUNDLED_PROVIDERS);
    const store = new StaticProviderStore(index);
    const resolver = new DiscoveryResolver(store, { ...world.options(), limiter: new ConnectionLimiter({ global: 64, perDomain: 8 }) });
    await resolver.resolve(DOMAIN);
    const warm = await perSecond(() => resolver.resolve(DOMAIN));
    const database = await perSecond(() => resolver.resolve('posteo.de'));

    const http = await httpComparison(world);
    const cases = await benchCases();

    const goal = 1.5 * chain;
    return [
      `slowest dependent chain (SRV -> A -> SMTP STARTTLS): ${chain.toFixed(0)} ms (${(chain / HOP_MS).toFixed(1)} hops of ${HOP_MS} ms)`,
      `cold lookup, steps in parallel:     median ${parallel.toFixed(0)} ms of ${COLD_RUNS}  = ${(parallel / chain).toFixed(2)}x the chain  goal <= 1.5x (${goal.toFixed(0)} ms): ${parallel <= goal ? 'met' : 'NOT met'}`,
      `cold lookup, steps one after another: median ${sequential.toFixed(0)} ms of ${COLD_RUNS}  (Thunderbird's order)`,
      `parallel vs sequential: ${(sequential / parallel).toFixed(2)}x faster`,
      `warm (cached) lookups: ${warm.toFixed(0)}/s; database hits: ${database.toFixed(0)}/s; ratio ${(warm / database).toFixed(2)} (resolver calls alone)`,
      `over HTTP (Thunderbird autoconfig, median of ${HTTP_ROUNDS} rounds of ${HTTP_SECONDS} s): discovered+cached ${http.cached.toFixed(0)} req/s; database ${http.database.toFixed(0)} req/s; ratio ${(http.cached / http.database).toFixed(2)}`,
      ...cases,
    ];
  } finally {
    await world.close();
  }
}

/** The same endpoint for a cached discovered domain and for a database domain, through the real server. */
async function httpComparison(world: World): Promise<{ cached: number; database: number }> {
  const server = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '0' }, resolver: (store) => new DiscoveryResolver(store, world.options()) });
  try {
    const rate = async (address: string) => {
      const url = `${server.url}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`;
      if ((await fetch(url)).status !== 200) throw new Error(`${address}: not answered`);
      const result = await autocannon({ url, connections: 16, duration: HTTP_SECONDS });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${address}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      return result.requests.average;
    };
    // Alternate the two, round by round, so drift on a shared machine hits both alike.
    const cached: number[] = [];
    const database: number[] = [];
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      cached.push(await rate(`alice@${DOMAIN}`));
      database.push(await rate('alice@posteo.de'));
    }
    return { cached: median(cached), database: median(database) };
  } finally {
    await server.close();
  }
}

/** A simulated network of bench/case-worlds.ts, running in its own process; options for resolvers that use it. */
async function caseWorld(name: CaseName): Promise<{ info: WorldInfo; options: DiscoveryResolverOptions; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./world-child.ts', import.meta.url)), [name], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const info = JSON.parse(line) as WorldInfo;
  const options: DiscoveryResolverOptions = {
    dnsServers: [info.dns],
    allowNetworks: TEST_NETWORKS,
    lookupTimeoutMs: 5000,
    autoconfigHttp: false,
    ca: [info.ca],
    // Nothing listens on port 9: an unmapped standard port is refused at once, as in the test world.
    mapPort: (ip, standard) => info.ports[`${ip}:${standard}`] ?? 9,
    dnsTimeoutMs: 1000,
    fetchTimeoutMs: 2000,
    probeTimeoutMs: 2000,
    random: () => 0,
  };
  return {
    info,
    options,
    close: async () => {
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}

/** One cold lookup of `domain` with a fresh resolver (nothing cached); fails when nothing is found. */
async function coldOf(options: DiscoveryResolverOptions, domain: string, extra: Partial<DiscoveryResolverOptions> = {}): Promise<number> {
  const resolver = new DiscoveryResolver(new StaticProviderStore(new ProviderIndex([])), { ...options, ...extra });
  const started = performance.now();
  const { config } = await resolver.resolve(domain);
  if (!config) throw new Error(`${domain} was not discovered`);
  return performance.now() - started;
}

const ratioLine = (name: string, cold: number, chain: number, goal: number) =>
  `${name}: cold median ${cold.toFixed(0)} ms, slowest dependent chain ${chain.toFixed(0)} ms = ${(cold / chain).toFixed(2)}x  goal <= ${goal}x: ${cold <= goal * chain ? 'met' : 'NOT met'}`;

/** The everyday setups of issue 11, each on its own simulated network (in a child process) with 50 ms per answer. */
async function benchCases(): Promise<string[]> {
  return [await sharedHosting(), await autodiscoverOnly(), await deadFirstSrvTarget()];
}

/** imap.D and smtp.D are aliases of the hoster's server, whose certificate names only mail.hoster.test. */
async function sharedHosting(): Promise<string> {
  const { customer } = SHARED;
  const world = await caseWorld('shared');
  try {
    const { options } = world;
    const ca = options.ca;
    // The chain: the alias' address (the hoster's A rides along in the same answer), the alias' TLS handshake (its
    // certificate names only the hoster), then the whole probe of the hoster's name at that address.
    const chainOnce = async () => {
      const dns = new DnsClient({ servers: options.dnsServers });
      const started = performance.now();
      const address = (await dns.query(`imap.${customer}`, 'A')).records[0]?.address ?? '';
      const port = options.mapPort!(address, 993);
      let hoster: Promise<Awaited<ReturnType<typeof probe>>> | undefined;
      const onCertificate = () => {
        hoster ??= probe({ host: 'mail.hoster.test', address, port, protocol: 'imap', security: 'tls' }, { timeoutMs: 5000, ca });
      };
      const refused = await probe({ host: `imap.${customer}`, address, port, protocol: 'imap', security: 'tls' }, { timeoutMs: 5000, ca, onCertificate });
      if (refused.ok || !hoster) throw new Error('the alias should be refused for its certificate');
      const ok = await hoster;
      if (!ok.ok) throw new Error(`hoster probe failed: ${ok.error}`);
      return performance.now() - started;
    };
    await coldOf(options, customer);
    const chain = median(await sequence(5, chainOnce));
    const cold = median(await sequence(COLD_RUNS, () => coldOf(options, customer)));
    return ratioLine('shared hosting (CNAME to the hoster, certificate names the hoster)', cold, chain, 1.2);
  } finally {
    await world.close();
  }
}

/** Nothing but https://autodiscover.D/autodiscover/autodiscover.xml. */
async function autodiscoverOnly(): Promise<string> {
  const { domain } = AUTODISCOVER;
  const world = await caseWorld('autodiscover');
  try {
    const { options } = world;
    // The chain: the host's address, then the POST over TLS.
    const chainOnce = async () => {
      const dns = new LookupDns(new DnsClient({ servers: options.dnsServers }), createNetworkGuard(options.allowNetworks));
      const started = performance.now();
      const fetched = await fetchVetted(autodiscoverUrl(`autodiscover.${domain}`), { dns, ca: options.ca, mapPort: options.mapPort, timeoutMs: 5000, post: { body: autodiscoverRequest(`alice@${domain}`), contentType: 'text/xml; charset=utf-8' } });
      if (!fetched.ok) throw new Error(`Autodiscover POST failed: ${fetched.error}`);
      return performance.now() - started;
    };
    await coldOf(options, domain);
    const chain = median(await sequence(5, chainOnce));
    const cold = median(await sequence(COLD_RUNS, () => coldOf(options, domain)));
    return ratioLine('Outlook Autodiscover only (autodiscover.D)', cold, chain, 1.2);
  } finally {
    await world.close();
  }
}

/** The priority-0 SRV target accepts and never greets; the same domain without it, side by side. */
async function deadFirstSrvTarget(): Promise<string> {
  const { dead, live } = DEAD_SRV;
  const world = await caseWorld('dead-srv');
  try {
    // Production's probe timeout (6 s) and lookup deadline (8 s): what a dead target used to cost.
    const production = { probeTimeoutMs: 6000, lookupTimeoutMs: 8000 };
    await coldOf(world.options, live, production);
    const withDead: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      withDead.push(await coldOf(world.options, dead, production));
      without.push(await coldOf(world.options, live, production));
    }
    const added = median(withDead) - median(without);
    return `dead priority-0 SRV target (accepts, never greets): cold median ${median(withDead).toFixed(0)} ms vs ${median(without).toFixed(0)} ms without it: adds ${added.toFixed(0)} ms  goal <= 1500 ms (probe timeout 6000 ms): ${added <= 1500 ? 'met' : 'NOT met'}`;
  } finally {
    await world.close();
  }
}

async function sequence(runs: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return out;
}

// Also runnable on its own: npx tsx bench/discovery.ts [cases]   ("cases": only the issue-11 rows)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of process.argv[2] === 'cases' ? await benchCases() : await benchDiscovery()) process.stdout.write(`${line}\n`);
}
