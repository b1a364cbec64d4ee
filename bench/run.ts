// `npm run bench`: throughput of each client format next to a bare fastify route, measured in the same run.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Target {
  name: string;
  goal?: number;
  port: 'bare' | 'service';
  method?: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

const POX = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>alice@posteo.de</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;

const TARGETS: Target[] = [
  { name: 'bare fastify route', port: 'bare', path: '/fixed' },
  { name: 'Thunderbird autoconfig', goal: 0.8, port: 'service', path: '/mail/config-v1.1.xml?emailaddress=alice%40posteo.de' },
  { name: 'Outlook POX', goal: 0.6, port: 'service', method: 'POST', path: '/autodiscover/autodiscover.xml', body: POX, headers: { 'content-type': 'text/xml' } },
  { name: 'Apple mobileconfig', goal: 0.6, port: 'service', path: '/mobileconfig?emailaddress=alice%40posteo.de' },
];

async function measure(target: Target, ports: Record<'bare' | 'service', number>): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${ports[target.port]}${target.path}`,
    method: target.method ?? 'GET',
    body: target.body,
    headers: target.headers,
    connections: 32,
    pipelining: 1,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function benchFormats(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const ports = JSON.parse(line) as Record<'bare' | 'service', number>;
  const samples = new Map<string, number[]>(TARGETS.map((t) => [t.name, []]));
  // Interleave the targets round by round so drift on a shared machine hits all of them alike.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of TARGETS) samples.get(target.name)!.push(await measure(target, ports));
    process.stdout.write(`round ${round}/${ROUNDS} done\n`);
  }
  child.send('stop');
  const bare = median(samples.get(TARGETS[0]!.name)!);
  process.stdout.write(`\nThroughput (requests/s, median of ${ROUNDS} rounds of ${SECONDS} s, 32 connections, one server process):\n`);
  for (const target of TARGETS) {
    const rps = median(samples.get(target.name)!);
    const ratio = rps / bare;
    const verdict = target.goal === undefined ? '' : `  goal >= ${target.goal}: ${ratio >= target.goal ? 'met' : 'NOT met'}`;
    process.stdout.write(`  ${target.name.padEnd(24)} ${rps.toFixed(0).padStart(8)} req/s  ratio ${ratio.toFixed(2)}${verdict}\n`);
  }
}

async function benchDiscoveryIfPresent(): Promise<void> {
  const file = fileURLToPath(new URL('./discovery.js', import.meta.url));
  if (!existsSync(file)) return;
  const { benchDiscovery } = (await import(file)) as { benchDiscovery: () => Promise<string[]> };
  process.stdout.write('\nDiscovery on a simulated network (50 ms added to every answer):\n');
  for (const line of await benchDiscovery()) process.stdout.write(`  ${line}\n`);
}

await benchFormats();
await benchDiscoveryIfPresent();
