import t from 'tap';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchedDestination, logDestination } from '../../src/http/log-destination.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

t.test('lines of one event-loop turn reach the target as one write, in order, at the end of the turn', async (t) => {
  const writes: string[] = [];
  const destination = batchedDestination({ write: (data) => writes.push(data), flushSync: () => {} });
  destination.write('one\n');
  destination.write('two\n');
  destination.write('three\n');
  t.same(writes, [], 'nothing written within the turn');
  await turn();
  t.same(writes, ['one\ntwo\nthree\n']);
  destination.write('four\n');
  await turn();
  t.same(writes, ['one\ntwo\nthree\n', 'four\n'], 'the next turn: the next write');
  destination.write('five\n');
  destination.flushSync();
  t.same(writes.at(-1), 'five\n', 'flushSync writes what is pending at once');
});

t.test('a destination that has ended takes no more lines and does not throw', async (t) => {
  const writes: string[] = [];
  const destination = batchedDestination({ write: (data) => writes.push(data), flushSync: () => {}, destroyed: true });
  destination.write('late\n');
  await turn();
  t.same(writes, []);
});

t.test('logDestination writes every line to the file descriptor', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mailconfig-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'log');
  const destination = logDestination(openSync(file, 'a'));
  for (let i = 0; i < 100; i++) destination.write(`{"n":${i}}\n`);
  await turn();
  destination.flushSync();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  t.equal(lines.length, 100);
  t.same(lines.map((line) => (JSON.parse(line) as { n: number }).n), Array.from({ length: 100 }, (_, i) => i));
});
