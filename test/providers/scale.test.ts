// The database at scale: a directory of thousands of files loads (no EMFILE: files are read through a bounded pool),
// and one changed file is applied by itself: only it is read again and only its domains change in the index.
import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DISK, openProviderDatabase, type ProviderFiles } from '../../src/providers/database.js';
import { mapBounded } from '../../src/providers/pool.js';
import { LiveProviderStore, type ProviderChange } from '../../src/providers/store.js';

function providerFile(id: string, domains: string[], port = 993): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${id}">
${domains.map((d) => `    <domain>${d}</domain>`).join('\n')}
    <incomingServer type="imap">
      <hostname>imap.${id}</hostname>
      <port>${port}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.${id}</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
}

async function generated(t: Test, files: number, domainsPerFile = 1): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-scale-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (let start = 0; start < files; start += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, files - start) }, (_, i) => {
        const f = start + i;
        return writeFile(join(dir, `p${f}.example.xml`), providerFile(`p${f}.example`, Array.from({ length: domainsPerFile }, (_, d) => `d${d}.p${f}.example`)));
      }),
    );
  }
  return dir;
}

/** The disk, with a count of files open at once (a read is open from its call until its promise settles). */
function countingFiles(): ProviderFiles & { open: number; maxOpen: number; reads: string[] } {
  const counter = {
    open: 0,
    maxOpen: 0,
    reads: [] as string[],
    list: (dir: string) => DISK.list(dir),
    async read(path: string): Promise<string> {
      counter.open++;
      counter.maxOpen = Math.max(counter.maxOpen, counter.open);
      counter.reads.push(path);
      try {
        // A real read through the thread pool, so that reads do overlap when the loader lets them.
        return await readFile(path, 'utf8');
      } finally {
        counter.open--;
      }
    },
  };
  return counter;
}

t.test('a directory of 3,000 one-domain files loads whole', async (t) => {
  const dir = await generated(t, 3_000);
  const { index, problems } = await openProviderDatabase(dir);
  t.same(problems, []);
  t.equal(index.size, 3_000);
  t.equal(index.domainCount, 3_000);
  t.equal(index.byDomain('d0.p2999.example')?.file, 'p2999.example.xml');
});

t.test('files are read at most `concurrency` at once', async (t) => {
  const dir = await generated(t, 300);
  for (const concurrency of [1, 7, 64]) {
    const files = countingFiles();
    const { index } = await openProviderDatabase(dir, { concurrency, files });
    t.equal(index.size, 300, `all loaded with ${concurrency} at once`);
    t.equal(files.reads.length, 300, 'each file read once');
    t.equal(files.maxOpen, concurrency, `never more than ${concurrency} open, and the bound is used`);
  }
});

t.test('mapBounded keeps the order of its items and refuses a bound below 1', async (t) => {
  let running = 0;
  let most = 0;
  const results = await mapBounded([5, 1, 4, 2, 3], 2, async (n, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
    return n * 10 + i;
  });
  t.same(results, [50, 11, 42, 23, 34]);
  t.equal(most, 2);
  await t.rejects(mapBounded([1], 0, async (n) => n), RangeError);
});

t.test('a hand edit of one file, seen by the watcher, changes only that provider', async (t) => {
  const dir = await generated(t, 200, 3);
  const store = await LiveProviderStore.open(dir);
  t.teardown(() => store.close());
  const index = store.current();
  const before = new Map(index.entries().map((entry) => [entry.file, entry]));
  store.watch();
  // The watcher's handle and debounce timer do not keep a process alive (the service's listener does): this does.
  const alive = setInterval(() => {}, 60_000);
  t.teardown(() => clearInterval(alive));

  // p7 gives up d2.p7.example, takes new.p7.example and moves IMAP to another port.
  const applied = new Promise<ProviderChange>((resolve) => store.onChange((change) => resolve(change)));
  await writeFile(join(dir, 'p7.example.xml'), providerFile('p7.example', ['d0.p7.example', 'd1.p7.example', 'new.p7.example'], 1993));
  const change = await applied;

  t.equal(change.file, 'p7.example.xml');
  t.equal(change.previous, before.get('p7.example.xml'));
  t.equal(store.current(), index, 'the index was changed in place, not rebuilt');
  t.equal(index.byDomain('d2.p7.example'), undefined, 'the domain given up is no longer served');
  t.equal(index.byDomain('new.p7.example'), change.entry);
  t.equal(index.byDomain('d0.p7.example')?.config.servers[0]?.port, 1993);
  t.equal(index.domainCount, 600);
  const others = index.entries().filter((entry) => entry.file !== 'p7.example.xml');
  t.equal(others.length, 199);
  t.ok(
    others.every((entry) => entry === before.get(entry.file) && entry.config.domains.every((d) => index.byDomain(d) === entry)),
    'every other provider is the very entry it was, serving the same domains',
  );
});

t.test('reloadFile: a version that claims another file\'s domain is refused, and both files keep serving as before', async (t) => {
  const dir = await generated(t, 50);
  const store = await LiveProviderStore.open(dir);
  t.teardown(() => store.close());
  const served = store.current().byDomain('d0.p3.example');
  await writeFile(join(dir, 'p3.example.xml'), providerFile('p3.example', ['d0.p3.example', 'd0.p4.example']));
  await store.reloadFile('p3.example.xml');
  t.equal(store.current().byDomain('d0.p3.example'), served, 'the last good version keeps serving');
  t.equal(store.current().byDomain('d0.p4.example')?.file, 'p4.example.xml', 'the other file keeps its domain');
  t.match(store.list().find((l) => l.file === 'p3.example.xml')?.problems, [{ message: /domain d0\.p4\.example is already claimed by p4\.example\.xml/ }]);
});
