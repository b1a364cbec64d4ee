// `npm run bench` (through tsx, no build): throughput of each client format next to a bare fastify route, measured in
// the same run; then discovery on a simulated network, HTTPS, and the provider database at scale. Each part can be
// left out: BENCH_FORMATS=off, BENCH_DISCOVERY=off, BENCH_HTTPS=off, BENCH_DATABASE=off (BENCH_DATABASE_MILLION=off
// skips only its slow 1,000,000-domain layout).
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { benchDatabase } from './database-scale.js';
import { benchDiscovery } from './discovery.js';
import { FORMATS, THUNDERBIRD_PATH } from './formats.js';
import { STAND_IN_PATH } from './stand-in.js';
import { benchHttps } from './https.js';
import { benchInstances } from './instances.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Sample {
  rps: number;
  /** Server CPU microseconds per answered request. */
  cpuPerRequest: number;
}

async function serverCpu(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [usage] = (await once(child, 'message')) as [{ user: number; system: number }];
  return usage.user + usage.system;
}

interface Load {
  method: 'GET' | 'POST';
  body?: string | undefined;
  contentType?: string | undefined;
}

async function load(format: Load, url: string, connections = 32): Promise<{ rps: number; total: number }> {
  const result = await autocannon({
    url,
    method: format.method,
    ...(format.body === undefined ? {} : { body: format.body }),
    headers: format.contentType ? { 'content-type': format.contentType } : {},
    connections,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, total: result.requests.total };
}

async function measure(format: Load, url: string, child: ChildProcess): Promise<Sample> {
  const cpuBefore = await serverCpu(child);
  const { rps, total } = await load(format, url);
  const cpu = (await serverCpu(child)) - cpuBefore;
  return { rps, cpuPerRequest: cpu / total };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

type Side = 'bare' | 'service' | 'quiet';

async function benchFormats(): Promise<void> {
  // The server process runs the TypeScript sources through tsx too.
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), { execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  process.once('exit', () => child.kill());
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const ports = JSON.parse(line) as Record<Side, number>;
  // BENCH_ONLY=word: only the rows whose name contains it (the stand-in row is always measured).
  const only = (process.env.BENCH_ONLY ?? '').toLowerCase();
  const rows = [...FORMATS.map((format, i) => ({ format, bareUrl: `/fixed/${i}` })).filter(({ format }) => format.name.toLowerCase().includes(only)), { format: STAND_IN_ROW, bareUrl: '/fixed/0' }];
  const samples = rows.map(() => ({ bare: [] as Sample[], service: [] as Sample[], quiet: [] as Sample[] }));
  // Each round measures every row's sides back to back, so drift on a shared machine hits both sides of a ratio alike.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, { format, bareUrl }] of rows.entries()) {
      const s = samples[i]!;
      s.bare.push(await measure(format, `http://127.0.0.1:${ports.bare}${bareUrl}`, child));
      if (format === STAND_IN_ROW) {
        s.service.push(await measure(format, `http://127.0.0.1:${ports.bare}${STAND_IN_PATH}?emailaddress=alice%40posteo.de`, child));
        continue;
      }
      s.service.push(await measure(format, `http://127.0.0.1:${ports.service}${format.path}`, child));
      s.quiet.push(await measure(format, `http://127.0.0.1:${ports.quiet}${format.path}`, child));
    }
    process.stdout.write(`round ${round}/${ROUNDS} done\n`);
  }
  child.send('stop');
  process.stdout.write(
    `\nThroughput (median of ${ROUNDS} rounds of ${SECONDS} s, 32 connections, server in its own process; the bare fastify\n` +
      'route answers the same bytes as a fixed string; "defaults" = info logging to /dev/null, metrics, rate limiter on;\n' +
      'ratio = median of the per-round ratios; CPU = server CPU time per request, defaults vs bare):\n',
  );
  const ratios = (a: Sample[], b: Sample[]) => median(a.map((x, k) => x.rps / b[k]!.rps));
  const rps = (list: Sample[]) => median(list.map((x) => x.rps)).toFixed(0).padStart(6);
  const cpu = (list: Sample[]) => median(list.map((x) => x.cpuPerRequest)).toFixed(0).padStart(4);
  process.stdout.write(`  ${'answer'.padEnd(32)} ${'defaults'.padStart(6)}   ${'bare'.padStart(6)}   ratio  goal                    logging off  CPU us/req\n`);
  for (const [i, { format }] of rows.entries()) {
    const s = samples[i]!;
    const ratio = ratios(s.service, s.bare);
    const verdict = format === STAND_IN_ROW ? '(go-autoconfig had 1.53)' : `>= ${format.goal.toFixed(2)} ${ratio >= format.goal ? 'met' : 'NOT met'}`;
    const quiet = s.quiet.length ? ratios(s.quiet, s.bare).toFixed(2) : '-';
    process.stdout.write(`  ${format.name.padEnd(32)} ${rps(s.service)} vs ${rps(s.bare)}:  ${ratio.toFixed(2)}  ${verdict.padEnd(24)} ${quiet.padStart(4)}        ${cpu(s.service)} vs ${cpu(s.bare)}\n`);
  }
  const thunderbird = samples[rows.findIndex((row) => row.format === FORMATS[0])];
  const standIn = samples[rows.length - 1]!;
  if (thunderbird) process.stdout.write(`  Thunderbird (defaults) / static template stand-in: ${ratios(thunderbird.service, standIn.service).toFixed(2)} (the stand-in is not go-autoconfig: see bench/stand-in.ts)\n`);
}

/** The stand-in row: a bare route filling a fixed template per request (bench/stand-in.ts), against the fixed bytes. */
const STAND_IN_ROW = { name: 'static template stand-in', goal: 1, method: 'GET' as const, path: STAND_IN_PATH };

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * `--workers 2`: the service's Thunderbird answer against the stand-in, both served by the same 2 cluster workers
 * (bench/workers-server.ts), alternating, 64 connections.
 */
async function benchWorkers(): Promise<void> {
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  const servicePort = await freePort();
  const standInPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./workers-server.ts', import.meta.url))], {
    env: { ...process.env, LOG_LEVEL: 'info', BENCH_WORKERS: String(workers), BENCH_SERVICE_PORT: String(servicePort), BENCH_STANDIN_PORT: String(standInPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let listening = 0;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/worker \d+ listening/.test(line) && ++listening === workers) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the workers exited with ${code}`)));
  });
  const standInUrl = `http://127.0.0.1:${standInPort}${STAND_IN_PATH}?emailaddress=alice%40posteo.de`;
  const serviceUrl = `http://127.0.0.1:${servicePort}${THUNDERBIRD_PATH}`;
  // Every worker's stand-in listens a moment after its service: wait until the port answers.
  for (;;) {
    const ok = await fetch(standInUrl).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const service: number[] = [];
  const standIn: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    standIn.push((await load({ method: 'GET' }, standInUrl, 64)).rps);
    service.push((await load({ method: 'GET' }, serviceUrl, 64)).rps);
  }
  child.kill('SIGTERM');
  await once(child, 'exit');
  const ratio = median(service.map((x, k) => x / standIn[k]!));
  process.stdout.write(
    `\nWith ${workers} workers (64 connections, median of ${ROUNDS} rounds of ${SECONDS} s; this machine has ${availableParallelism()} cores shared with the load generator):\n` +
      `  Thunderbird (defaults) ${median(service).toFixed(0).padStart(6)} req/s vs static template stand-in ${median(standIn).toFixed(0).padStart(6)} req/s: ratio ${ratio.toFixed(2)} (goal >= 1.00 ${ratio >= 1 ? 'met' : 'NOT met'})\n`,
  );
}

async function benchDiscoveryLines(): Promise<void> {
  process.stdout.write('\nDiscovery on a simulated network (50 ms added to every answer):\n');
  for (const line of await benchDiscovery()) process.stdout.write(`  ${line}\n`);
}

async function benchDatabaseLines(): Promise<void> {
  process.stdout.write('\nProvider database at scale (generated under the temporary folder; each load in a fresh process of built code):\n');
  for (const line of await benchDatabase()) process.stdout.write(`  ${line}\n`);
}

async function benchHttpsLines(): Promise<void> {
  process.stdout.write('\nHTTPS listener, handshakes and workers:\n');
  for (const line of await benchHttps()) process.stdout.write(`  ${line}\n`);
}

if (process.env.BENCH_FORMATS !== 'off') await benchFormats();
if (process.env.BENCH_WORKERS_ROW !== 'off') await benchWorkers();
if (process.env.BENCH_DISCOVERY !== 'off') await benchDiscoveryLines();
if (process.env.BENCH_HTTPS !== 'off') await benchHttpsLines();
if (process.env.BENCH_INSTANCES !== 'off') {
  process.stdout.write('\nFlood, soak and several instances (service in its own process on a simulated network):\n');
  for (const line of await benchInstances()) process.stdout.write(`  ${line}\n`);
}
if (process.env.BENCH_DATABASE !== 'off') await benchDatabaseLines();
