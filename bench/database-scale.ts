// The provider database at scale: generated directories under a temporary folder (removed afterwards) of 100,000
// domains as 1,000 files of 100 and as 100,000 files of one, and 1,000,000 domains as 10,000 files of 100
// (BENCH_DATABASE_MILLION=off skips it). For each: load time and RSS after the load, each in a fresh process; one
// changed file applied; Thunderbird answers per second for a domain of it against the bundled database, measured side
// by side in one process. Then RSS of the whole service with the bundled database against a bare fastify process.
// The children run a build of src/ (tsc into the temporary folder), so no TypeScript loader is in their memory.
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { BUNDLED_PROVIDERS, PROJECT_ROOT } from '../src/config.js';

const SECONDS = Number(process.env.BENCH_DATABASE_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_DATABASE_ROUNDS ?? 3);

interface Layout {
  name: string;
  files: number;
  domainsPerFile: number;
  loadGoalMs: number;
  rssGoalMiB: number;
}

const LAYOUTS: Layout[] = [
  { name: '100k domains, 1,000 files x 100', files: 1_000, domainsPerFile: 100, loadGoalMs: 1_500, rssGoalMiB: 150 },
  { name: '100k domains, 100,000 files x 1', files: 100_000, domainsPerFile: 1, loadGoalMs: 1_500, rssGoalMiB: 150 },
  { name: '1M domains, 10,000 files x 100', files: 10_000, domainsPerFile: 100, loadGoalMs: 10_000, rssGoalMiB: 600 },
];
const THROUGHPUT_GOAL = 0.95;
const CHANGE_GOAL_MS = 50;
const SERVICE_RSS_GOAL = 1.5;

/** A provider file shaped like the ISPDB's: its domains, IMAP and SMTP with the address as user name. */
function providerFile(id: string, domains: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${id}">`,
    ...domains.map((d) => `    <domain>${d}</domain>`),
    `    <displayName>Provider ${id}</displayName>`,
    '    <incomingServer type="imap">',
    `      <hostname>imap.${id}</hostname>`,
    '      <port>993</port>',
    '      <socketType>SSL</socketType>',
    '      <username>%EMAILADDRESS%</username>',
    '      <authentication>password-cleartext</authentication>',
    '    </incomingServer>',
    '    <outgoingServer type="smtp">',
    `      <hostname>smtp.${id}</hostname>`,
    '      <port>465</port>',
    '      <socketType>SSL</socketType>',
    '      <username>%EMAILADDRESS%</username>',
    '      <authentication>password-cleartext</authentication>',
    '    </outgoingServer>',
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

const fileName = (f: number) => `p${f}.example.xml`;
const domainOf = (f: number, d: number) => `d${d}.p${f}.example`;

async function generate(dir: string, layout: Layout): Promise<void> {
  await mkdir(dir);
  for (let start = 0; start < layout.files; start += 256) {
    const batch = [];
    for (let f = start; f < Math.min(layout.files, start + 256); f++) {
      const domains = Array.from({ length: layout.domainsPerFile }, (_, d) => domainOf(f, d));
      batch.push(writeFile(join(dir, fileName(f)), providerFile(`p${f}.example`, domains)));
    }
    await Promise.all(batch);
  }
}

/** Compiles src/ and the child script into `root`/build, beside links to node_modules and providers/. */
async function build(root: string): Promise<string> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = join(root, 'build');
  const tsconfig = join(root, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(PROJECT_ROOT, 'tsconfig.build.json'),
      compilerOptions: { rootDir: PROJECT_ROOT, outDir: out, incremental: false, tsBuildInfoFile: null, sourceMap: false, declaration: false },
      include: [join(PROJECT_ROOT, 'src'), join(PROJECT_ROOT, 'bench', 'database-child.ts')],
    }),
  );
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await symlink(BUNDLED_PROVIDERS, join(root, 'providers'), 'dir');
  await promisify(execFile)(process.execPath, [tsc, '-p', tsconfig], { cwd: PROJECT_ROOT });
  return join(out, 'bench', 'database-child.js');
}

async function runChild<T>(child: string, args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [child, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

async function rps(url: string): Promise<number> {
  const result = await autocannon({ url, connections: 32, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/** Answers/s for a domain of the big database against posteo.de of the bundled one, pairs measured back to back. */
async function throughput(child: string, dir: string, domain: string): Promise<{ big: number; small: number; ratio: number }> {
  const server = spawn(process.execPath, [child, 'serve', dir, BUNDLED_PROVIDERS], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
    const ports = JSON.parse(line) as { big: number; small: number };
    const path = (address: string) => `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`;
    const big: number[] = [];
    const small: number[] = [];
    const ratio: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = await rps(`http://127.0.0.1:${ports.big}${path(`alice@${domain}`)}`);
      const s = await rps(`http://127.0.0.1:${ports.small}${path('alice@posteo.de')}`);
      big.push(b);
      small.push(s);
      ratio.push(b / s);
    }
    return { big: median(big), small: median(small), ratio: median(ratio) };
  } finally {
    server.stdin.end();
    server.kill();
  }
}

export async function benchDatabase(): Promise<string[]> {
  const lines: string[] = [];
  const root = await mkdtemp(join(tmpdir(), 'mailconfig-bench-db-'));
  try {
    const child = await build(root);
    const layouts = process.env.BENCH_DATABASE_MILLION === 'off' ? LAYOUTS.slice(0, 2) : LAYOUTS;
    for (const [i, layout] of layouts.entries()) {
      const dir = join(root, `db${i}`);
      await generate(dir, layout);
      const load = await runChild<{ ms: number; rssMiB: number; domains: number }>(child, ['load', dir]);
      const middle = Math.floor(layout.files / 2);
      const change = await runChild<{ ms: number; servedPort: number }>(child, ['change', dir, fileName(middle)]);
      if (load.domains !== layout.files * layout.domainsPerFile) throw new Error(`${layout.name}: ${load.domains} domains loaded`);
      const answers = await throughput(child, dir, domainOf(middle, Math.floor(layout.domainsPerFile / 2)));
      lines.push(
        `${layout.name}:`,
        `  load ${load.ms.toFixed(0)} ms (goal < ${layout.loadGoalMs}: ${verdict(load.ms < layout.loadGoalMs)}), RSS after it ${load.rssMiB.toFixed(0)} MiB (goal < ${layout.rssGoalMiB}: ${verdict(load.rssMiB < layout.rssGoalMiB)})`,
        `  one changed file applied in ${change.ms.toFixed(1)} ms (median of 15; goal < ${CHANGE_GOAL_MS}: ${verdict(change.ms < CHANGE_GOAL_MS)})`,
        `  Thunderbird ${answers.big.toFixed(0)} answers/s vs ${answers.small.toFixed(0)} for the bundled database: ratio ${answers.ratio.toFixed(2)} (median of ${ROUNDS} rounds of ${SECONDS} s; goal >= ${THROUGHPUT_GOAL}: ${verdict(answers.ratio >= THROUGHPUT_GOAL)})`,
      );
      await rm(dir, { recursive: true, force: true });
    }
    const service = await runChild<{ rssMiB: number }>(child, ['rss-service', BUNDLED_PROVIDERS]);
    const bare = await runChild<{ rssMiB: number }>(child, ['rss-bare']);
    const ratio = service.rssMiB / bare.rssMiB;
    lines.push(`Service RSS with the bundled database ${service.rssMiB.toFixed(0)} MiB vs bare fastify ${bare.rssMiB.toFixed(0)} MiB: ${ratio.toFixed(2)}x (goal <= ${SERVICE_RSS_GOAL}x: ${verdict(ratio <= SERVICE_RSS_GOAL)})`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return lines;
}
