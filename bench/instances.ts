// Scale-out and flood rows of `npm run bench` (issue "many instances"): the service runs in a child process
// (bench/instances-server.ts) on a simulated network of generated domains, so its RSS is its own.
// - flood: RSS before and after N unique discovered domains (BENCH_FLOOD_DOMAINS, default 20000), goal < 100 MB growth;
// - soak: a steady rate for BENCH_SOAK_SECONDS (default 60) of database hits and cached discoveries: p50/p99, RSS;
// - shared: a domain discovered by instance A answered by instance B through Redis, against a database hit on B
//   (needs redis-server; the row says so when it is missing).
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startWorld, TEST_NETWORKS, type World } from '../test/helpers/discovery-world.js';
import { startRedis } from '../test/helpers/redis.js';
import type { BenchNetwork } from './instances-server.js';
import { findSystemProgram } from '../test/helpers/system-program.js';

const FLOOD = Number(process.env.BENCH_FLOOD_DOMAINS ?? 20_000);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 200);
const MB = 1024 * 1024;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface Child {
  process: ChildProcess;
  ports: number[];
  rss(): Promise<number>;
  stop(): Promise<void>;
}

const SERVER = '127.0.3.200';
const PORTS = [993, 143, 465, 587];

/**
 * uN.flood.test: an MX record; every tenth domain also has imap./smtp./mail. and its own A record at one server whose
 * certificate names *.flood.test (probed over TLS and found); the others' guessed names do not exist, so their lookup
 * is DNS questions and refused connections to the MX host (nothing listens for it): a flood of mostly dead domains.
 */
async function floodNetwork(): Promise<{ world: World; network: BenchNetwork }> {
  const generated = /^(?:(imap|smtp|mail|pop3|pop)\.)?u(\d+)\.flood\.test$/;
  const world = await startWorld({ 'mx.flood.test': { A: ['127.0.3.201'] } }, ['flood.test'], {
    recordQueries: false,
    generate: (name) => {
      const match = generated.exec(name);
      if (!match) return undefined;
      const live = Number(match[2]) % 10 === 0;
      if (match[1]) return live ? { A: [SERVER] } : undefined;
      return live ? { MX: [{ exchange: `mail.${name}`, priority: 10 }], A: [SERVER] } : { MX: [{ exchange: 'mx.flood.test', priority: 10 }] };
    },
  });
  const tls = { pem: world.pki.valid };
  await world.imap(SERVER, 993, { mode: 'tls', ...tls });
  await world.imap(SERVER, 143, { mode: 'starttls', ...tls });
  await world.smtp(SERVER, 465, { mode: 'tls', ...tls });
  await world.smtp(SERVER, 587, { mode: 'starttls', ...tls });
  const ports = Object.fromEntries(PORTS.map((port) => [`${SERVER}:${port}`, world.mapPort(SERVER, port)]));
  return { world, network: { dns: { address: world.dns.address, port: world.dns.port }, allowNetworks: TEST_NETWORKS, ca: world.pki.ca, ports } };
}

async function startChild(network: BenchNetwork, env: Record<string, string> = {}): Promise<Child> {
  const child = fork(fileURLToPath(new URL('./instances-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...env, BENCH_NETWORK: JSON.stringify(network) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  process.once('exit', () => child.kill());
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { ports } = JSON.parse(line) as { ports: number[] };
  return {
    process: child,
    ports,
    rss: async () => {
      child.send('rss');
      const [answer] = (await once(child, 'message')) as [{ rss: number }];
      return answer.rss;
    },
    stop: async () => {
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}

const url = (port: number, domain: string) => `http://127.0.0.1:${port}/mail/config-v1.1.xml?emailaddress=someone@${domain}`;

/** Asks `count` unique domains, `parallel` at a time, each from one of 256 client addresses (X-Forwarded-For). */
async function flood(port: number, first: number, count: number, parallel = 32): Promise<void> {
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const n = next++;
      const response = await request(url(port, `u${n}.flood.test`), { headers: { 'x-forwarded-for': `198.51.100.${n % 256}` } });
      await response.body.dump();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export async function benchInstances(): Promise<string[]> {
  const lines: string[] = [];
  const { world, network } = await floodNetwork();
  try {
    return await measureAll(network, lines);
  } finally {
    await world.close();
  }
}

async function measureAll(network: BenchNetwork, lines: string[]): Promise<string[]> {
  const single = await startChild(network);
  const [port] = single.ports as [number];
  // Warm up (JIT, TLS contexts, the first sockets) before the first RSS figure.
  await flood(port, 0, 500);
  const before = await single.rss();
  const started = performance.now();
  await flood(port, 500, FLOOD);
  const seconds = (performance.now() - started) / 1000;
  const after = await single.rss();
  const growth = (after - before) / MB;
  lines.push(
    `flood: RSS ${(before / MB).toFixed(0)} MB before, ${(after / MB).toFixed(0)} MB after ${FLOOD} unique discovered domains ` +
      `(${(FLOOD / seconds).toFixed(0)} lookups/s): +${growth.toFixed(0)} MB (goal < 100 MB: ${growth < 100 ? 'met' : 'NOT met'})`,
  );

  // Soak: database hits and cached discoveries (u10 found, u99 found nothing; both cached above) at a steady rate.
  const requests = [
    { path: '/mail/config-v1.1.xml?emailaddress=someone@gmail.com' },
    { path: '/mail/config-v1.1.xml?emailaddress=someone@u10.flood.test' },
    { path: '/api/v1/settings?email=someone@posteo.de' },
    { path: '/mail/config-v1.1.xml?emailaddress=someone@u99.flood.test' },
  ];
  const soakStart = await single.rss();
  const soak = await autocannon({ url: `http://127.0.0.1:${port}`, requests, connections: 16, overallRate: SOAK_RATE, duration: SOAK_SECONDS });
  const soakEnd = await single.rss();
  lines.push(
    `soak: ${SOAK_SECONDS} s at ${SOAK_RATE} req/s (${soak.requests.total} answered, ${soak.non2xx} non-2xx, ${soak.errors} errors): ` +
      `p50 ${soak.latency.p50} ms, p99 ${soak.latency.p99} ms; RSS ${(soakStart / MB).toFixed(0)} MB at start, ${(soakEnd / MB).toFixed(0)} MB at end`,
  );
  await single.stop();

  const program = findSystemProgram('redis-server');
  if (!program) {
    lines.push('shared: skipped, redis-server is not installed (Debian package redis-server)');
    return lines;
  }
  const redis = await startRedis(program);
  try {
    const pair = await startChild(network, { BENCH_REDIS_URL: redis.url });
    const [a, b] = pair.ports as [number, number];
    const time = async (target: string) => {
      const t0 = performance.now();
      const response = await request(target);
      await response.body.dump();
      if (response.statusCode !== 200 && response.statusCode !== 404) throw new Error(`shared: ${response.statusCode}`);
      return performance.now() - t0;
    };
    const viaRedis: number[] = [];
    const database: number[] = [];
    for (let n = 0; n < 200; n++) {
      const domain = `u${100_000 + n}.flood.test`;
      await time(url(a, domain));
      viaRedis.push(await time(url(b, domain)));
      database.push(await time(url(b, 'gmail.com')));
    }
    const shared = median(viaRedis);
    const db = median(database);
    lines.push(`shared: a domain A discovered, first asked of B: median ${shared.toFixed(2)} ms (from Redis, no lookup) vs a database hit on B ${db.toFixed(2)} ms: ratio ${(shared / db).toFixed(2)}`);
    await pair.stop();
  } finally {
    await redis.close();
  }
  return lines;
}
