import t from 'tap';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProvider } from '../../src/providers/parse.js';
import { LiveProviderStore } from '../../src/providers/store.js';
import { copyProviders } from '../helpers/providers.js';

const SCRIPT = fileURLToPath(new URL('./write-loop.ts', import.meta.url));

/** Runs the writer until it has acknowledged `acks` rounds plus a random few, then SIGKILLs it mid-burst. */
async function killDuringBurst(dir: string, acks: number): Promise<{ killAt: number; lastAck: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killAt = acks + Math.floor(Math.random() * 5);
  let lastAck = -1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const match of stdout.matchAll(/ack (\d+)\n/g)) lastAck = Math.max(lastAck, Number(match[1]));
    if (lastAck >= killAt) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  if (lastAck < 0) throw new Error(`the writer acknowledged nothing: ${stderr}`);
  // Acks that arrived in the same chunk as the kill trigger count too: they were printed before the kill.
  for (const match of stdout.matchAll(/ack (\d+)\n/g)) lastAck = Math.max(lastAck, Number(match[1]));
  return { killAt, lastAck };
}

t.test('SIGKILL during a burst of writes: only whole, valid files; every acknowledged write present', { timeout: 90_000 }, async (t) => {
  const dir = await copyProviders(t, ['posteo.de.xml']);
  for (let run = 0; run < 2; run++) {
    const { killAt, lastAck } = await killDuringBurst(dir, 15 + run * 10);
    // Random, so a failure can be told apart from a run that merely killed at another point.
    t.comment(`run ${run + 1}: SIGKILL sent once ack ${killAt} arrived; last acknowledged write ${lastAck}`);
    const names = await readdir(dir);
    const xml = names.filter((n) => n.endsWith('.xml'));
    for (const name of xml) {
      const { problems } = parseProvider(await readFile(join(dir, name), 'utf8'), { file: name });
      t.same(problems.filter((p) => p.severity === 'error'), [], `${name} is whole and valid`);
    }
    for (let i = 0; i <= lastAck; i++) t.ok(xml.includes(`crash-${i}.example.xml`), `acknowledged write ${i} is present`);
    const shared = await readFile(join(dir, 'shared.example.xml'), 'utf8');
    const version = Number(/version (\d+)/.exec(shared)?.[1]);
    t.ok(version >= lastAck, `the rewritten file holds version ${version}, not older than the last acknowledged ${lastAck}`);
    t.ok(names.every((n) => n.endsWith('.xml') || /^\..*\.tmp$/.test(n)), 'nothing else but (at most) a temp file');

    // What a restarted server serves: every acknowledged file, nothing from temp files, which it cleans up.
    const store = await LiveProviderStore.open(dir);
    t.same(store.initialProblems.filter((p) => p.severity === 'error'), [], 'the directory loads without errors');
    for (let i = 0; i <= lastAck; i++) t.ok(store.current().byDomain(`crash-${i}.example`), `crash-${i}.example served`);
    t.same((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'stale temp files of the killed writer are removed');
    await store.close();
  }
});
