// `npm run bench` (through tsx, no build): throughput of each client format next to a bare fastify route, measured in
// the same run; then discovery on a simulated network, HTTPS, and the provider database at scale. Each part can be
// left out: BENCH_FORMATS=off, BENCH_DISCOVERY=off, BENCH_HTTPS=off, BENCH_DATABASE=off (BENCH_DATABASE_MILLION=off
// skips only its slow 1,000,000-domain layout).
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { benchDatabase } from './database-scale.js';
import { benchDiscovery } from './discovery.js';
import { FORMATS, type FormatRequest } from './formats.js';
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

async function measure(format: FormatRequest, url: string, child: ChildProcess): Promise<Sample> {
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({
    url,
    method: format.method,
    body: format.body,
    headers: format.contentType ? { 'content-type': format.contentType } : {},
    connections: 32,
    duration: SECONDS,
  });
  const cpu = (await serverCpu(child)) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${format.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function benchFormats(): Promise<void> {
  // The server process runs the TypeScript sources through tsx too.
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  process.once('exit', () => child.kill());
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const ports = JSON.parse(line) as Record<'bare' | 'service', number>;
  const samples = FORMATS.map(() => ({ bare: [] as Sample[], service: [] as Sample[], ratio: [] as number[] }));
  // Each round measures every pair back to back, so drift on a shared machine hits both sides of a ratio alike.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, format] of FORMATS.entries()) {
      const bare = await measure(format, `http://127.0.0.1:${ports.bare}/fixed/${i}`, child);
      const service = await measure(format, `http://127.0.0.1:${ports.service}${format.path}`, child);
      samples[i]!.bare.push(bare);
      samples[i]!.service.push(service);
      samples[i]!.ratio.push(service.rps / bare.rps);
    }
    process.stdout.write(`round ${round}/${ROUNDS} done\n`);
  }
  child.send('stop');
  process.stdout.write(
    `\nThroughput (median of ${ROUNDS} rounds of ${SECONDS} s, 32 connections, server in its own process; the bare\n` +
      'fastify route answers the same bytes as a fixed string; CPU = server CPU time per request):\n',
  );
  for (const [i, format] of FORMATS.entries()) {
    const s = samples[i]!;
    const ratio = median(s.ratio);
    const rps = (list: Sample[]) => median(list.map((x) => x.rps)).toFixed(0).padStart(6);
    const cpu = (list: Sample[]) => median(list.map((x) => x.cpuPerRequest));
    process.stdout.write(
      `  ${format.name.padEnd(23)} ${rps(s.service)} req/s vs bare ${rps(s.bare)} req/s: ratio ${ratio.toFixed(2)} ` +
        `(goal >= ${format.goal}: ${ratio >= format.goal ? 'met' : 'NOT met'}); CPU ${cpu(s.service).toFixed(0)} vs ${cpu(s.bare).toFixed(0)} us/request, ratio ${(cpu(s.bare) / cpu(s.service)).toFixed(2)}\n`,
    );
  }
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
if (process.env.BENCH_DISCOVERY !== 'off') await benchDiscoveryLines();
if (process.env.BENCH_HTTPS !== 'off') await benchHttpsLines();
if (process.env.BENCH_INSTANCES !== 'off') {
  process.stdout.write('\nFlood, soak and several instances (service in its own process on a simulated network):\n');
  for (const line of await benchInstances()) process.stdout.write(`  ${line}\n`);
}
if (process.env.BENCH_DATABASE !== 'off') await benchDatabaseLines();
