import t, { type Test } from 'tap';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { openProviderDatabase } from '../../src/providers/database.js';
import { copyProviders, startLiveService } from '../helpers/providers.js';

// A provider file that cannot be read is skipped like an invalid one: one problem naming the file, the rest loads.
// Tests run as root, which reads a mode-000 file anyway: a directory named *.xml (EISDIR) and a dangling link
// (ENOENT) are files that cannot be read for anyone.

async function directoryWithUnreadableFiles(t: Test): Promise<string> {
  const dir = await copyProviders(t, ['posteo.de.xml', 'gmx.net.xml']);
  await mkdir(join(dir, 'a-directory.xml'));
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling.xml'));
  return dir;
}

t.test('openProviderDatabase: unreadable files become problems, the others are served', async (t) => {
  const dir = await directoryWithUnreadableFiles(t);
  const { index, problems } = await openProviderDatabase(dir);
  t.equal(index.size, 2, 'both readable files are served');
  t.ok(index.byDomain('posteo.de'));
  t.ok(index.byDomain('gmx.net'));
  t.same(
    problems.map((p) => [p.file, p.line, p.severity, p.message]),
    [
      ['a-directory.xml', 1, 'error', 'the file cannot be read (EISDIR)'],
      ['dangling.xml', 1, 'error', 'the file cannot be read (ENOENT)'],
    ],
  );
});

t.test('the service starts anyway and logs one line per unreadable file, like an invalid one', async (t) => {
  const dir = await directoryWithUnreadableFiles(t);
  const service = await startLiveService(t, dir);
  const skipped = service.logs.filter((l) => /^provider file skipped/.test(l.msg));
  t.same(skipped.map((l) => l.msg), [
    'provider file skipped: a-directory.xml:1: the file cannot be read (EISDIR)',
    'provider file skipped: dangling.xml:1: the file cannot be read (ENOENT)',
  ]);
  t.ok(skipped.every((l) => l.level === 40), 'as warnings');
  const res = await fetch(`${service.url}/v1.1/posteo.de`);
  t.equal(res.status, 200, 'the readable files are served');
  t.same(service.store.list().filter((l) => l.problems.length > 0).map((l) => l.file), ['a-directory.xml', 'dangling.xml'], 'the admin listing names them');
});
