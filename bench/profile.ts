// Profiles the service under load: bench/servers.ts under `node --cpu-prof`, one format at a time against the
// service with its production defaults only, then a summary of self time (bench/cpuprofile.ts).
// Usage: npx tsx bench/profile.ts [format name substring] (BENCH_SECONDS, default 8; profiles in BENCH_PROFILE_DIR)
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { summarise } from './cpuprofile.js';
import { FORMATS } from './formats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const wanted = (process.argv[2] ?? '').toLowerCase();
const formats = FORMATS.filter((f) => f.name.toLowerCase().includes(wanted));
const dir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'mailconfig-profile-'));

for (const format of formats) {
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${join(dir, format.name.replace(/\W+/g, '-'))}`],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { service, bare } = JSON.parse(line) as { service: number; bare: number };
  // BENCH_PROFILE_BARE=on: the bare route with the same bytes instead, to compare what is the service's own.
  const url = process.env.BENCH_PROFILE_BARE === 'on' ? `http://127.0.0.1:${bare}/fixed/${FORMATS.indexOf(format)}` : `http://127.0.0.1:${service}${format.path}`;
  const run = (duration: number) =>
    autocannon({ url, method: format.method, ...(format.body === undefined ? {} : { body: format.body }), headers: format.contentType ? { 'content-type': format.contentType } : {}, connections: 32, duration });
  await run(2); // warm-up (it is in the profile too, but small next to the measured run)
  const result = await run(SECONDS);
  child.send('stop');
  await once(child, 'exit');
  process.stdout.write(`\n==== ${format.name}: ${result.requests.average.toFixed(0)} req/s ====\n`);
  // tsx's loader thread writes a profile too: the main thread's is the largest.
  const own = join(dir, format.name.replace(/\W+/g, '-'));
  const file = readdirSync(own).map((name) => join(own, name)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  for (const row of summarise(JSON.parse(readFileSync(file!, 'utf8')) as Parameters<typeof summarise>[0], Number(process.env.BENCH_TOP ?? 30))) process.stdout.write(`${row}\n`);
}
process.stdout.write(`\nprofiles in ${dir}\n`);
