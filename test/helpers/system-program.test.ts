import t from 'tap';
import { basename, dirname } from 'node:path';
import { findSystemProgram, requireSystemProgram } from './system-program.js';

t.test('finds a program on PATH, and nothing that is not there', async (t) => {
  const dir = dirname(process.execPath);
  t.equal(findSystemProgram(basename(process.execPath), `/nonexistent-dir:${dir}`), process.execPath);
  t.equal(findSystemProgram('no-such-program-mailconfig', dir), undefined);
});

t.test('a missing program skips the file with one line naming the Debian package', async (t) => {
  const plans: [number, string][] = [];
  const fake = { plan: (count: number, reason: string) => void plans.push([count, reason]) };
  t.equal(requireSystemProgram(fake, 'redis-server', 'redis-server', '/nonexistent-dir'), undefined);
  t.same(plans, [[0, 'redis-server is not installed (Debian package redis-server: apt-get install redis-server)']]);
  const found = requireSystemProgram(fake, basename(process.execPath), 'nodejs', dirname(process.execPath));
  t.equal(found, process.execPath);
  t.equal(plans.length, 1, 'no skip when it is there');
});
