import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempFile, KeyedMutex } from '../../src/providers/atomic.js';
import { etagOf, loadProviderText, type ProviderEntry } from '../../src/providers/database.js';
import { diffProviders, formatChange } from '../../src/providers/diff.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { LiveProviderStore } from '../../src/providers/store.js';
import { copyProviders } from '../helpers/providers.js';
import { loopProvider } from './write-loop.js';

function mxProvider(id: string, domain: string, mx: string): string {
  return loopProvider(id, 1).replace(`<domain>${id}</domain>`, `<domain>${domain}</domain>\n    <domain purpose="mx">${mx}</domain>`);
}

function entry(file: string, text: string): ProviderEntry {
  const loaded = loadProviderText(file, text);
  if (!loaded.entry) throw new Error(JSON.stringify(loaded.problems));
  return loaded.entry;
}

t.test('write: atomic replace, served at once, no temp files left', async (t) => {
  const dir = await copyProviders(t);
  const store = await LiveProviderStore.open(dir);
  const text = loopProvider('a.example', 1);
  const result = await store.write('a.example', text);
  t.match(result, { status: 'written', created: true });
  t.equal(await readFile(join(dir, 'a.example.xml'), 'utf8'), text);
  t.equal(store.current().byDomain('a.example')?.etag, etagOf(text));
  t.same((await readdir(dir)).filter(isTempFile), []);
  t.match(await store.write('a.example', loopProvider('a.example', 2)), { status: 'written', created: false, previous: { etag: etagOf(text) } });
  t.throws(() => store.check('../evil', text), { name: 'ProviderKeyError', code: 'MAILCONFIG_PROVIDER_KEY_INVALID' }, 'keys are checked by the store too');
  await t.rejects(store.write('UPPER', text), { code: 'MAILCONFIG_PROVIDER_KEY_INVALID' });
});

t.test('concurrent writes to one file run in call order: the last call wins', async (t) => {
  const dir = await copyProviders(t, []);
  const store = await LiveProviderStore.open(dir);
  const texts = Array.from({ length: 10 }, (_, i) => loopProvider('same.example', i));
  const results = await Promise.all(texts.map((text) => store.write('same.example', text)));
  t.ok(results.every((r) => r.status === 'written'));
  t.equal(await readFile(join(dir, 'same.example.xml'), 'utf8'), texts[9]);
  t.equal(store.current().get('same.example')?.etag, etagOf(texts[9]!));
});

t.test('preconditions are checked inside the lock', async (t) => {
  const dir = await copyProviders(t, []);
  const store = await LiveProviderStore.open(dir);
  t.match(await store.write('p.example', loopProvider('p.example', 1), { expect: 'present' }), { status: 'precondition-failed' }, 'present: needs the file');
  t.match(await store.write('p.example', loopProvider('p.example', 1), { expect: { etags: ['"x"'] } }), { status: 'precondition-failed' }, 'an ETag: needs the file');
  const first = await store.write('p.example', loopProvider('p.example', 1), { expect: 'absent' });
  t.equal(first.status, 'written');
  t.match(await store.write('p.example', loopProvider('p.example', 9), { expect: 'absent' }), { status: 'precondition-failed' }, 'absent: refuses to overwrite');
  const etag = etagOf(loopProvider('p.example', 1));
  const [a, b] = await Promise.all([store.write('p.example', loopProvider('p.example', 2), { expect: { etags: [etag] } }), store.write('p.example', loopProvider('p.example', 3), { expect: { etags: [etag] } })]);
  t.same([a.status, b.status], ['written', 'precondition-failed'], 'the second sees the first one\'s ETag');
  t.match(b, { etag: etagOf(loopProvider('p.example', 2)) });
  const two = etagOf(loopProvider('p.example', 2));
  t.match(await store.write('p.example', loopProvider('p.example', 4), { expect: { notEtags: [two] } }), { status: 'precondition-failed' }, 'notEtags: the current one is listed');
  t.match(await store.write('p.example', loopProvider('p.example', 4), { expect: { allOf: ['present', { etags: [two] }, { notEtags: [etag] }] } }), { status: 'written' }, 'allOf: every part holds');
  t.match(await store.write('p.example', loopProvider('p.example', 5), { expect: { allOf: [{ etags: [etagOf(loopProvider('p.example', 4))] }, 'absent'] } }), { status: 'precondition-failed' }, 'allOf: one part fails');
  t.match(await store.remove('p.example', { expect: { etags: ['"x"'] } }), { status: 'precondition-failed' });
  t.match(await store.remove('p.example'), { status: 'removed' });
  t.match(await store.remove('p.example'), { status: 'missing' });
});

t.test('two concurrent writes to different files cannot claim one domain', async (t) => {
  const dir = await copyProviders(t, []);
  const store = await LiveProviderStore.open(dir);
  const one = loopProvider('one.example', 1).replace('<domain>one.example</domain>', '<domain>contested.example</domain>');
  const two = loopProvider('two.example', 1).replace('<domain>two.example</domain>', '<domain>contested.example</domain>');
  const results = await Promise.all([store.write('one.example', one), store.write('two.example', two)]);
  t.same(results.map((r) => r.status).sort(), ['invalid', 'written']);
  // Either may win (the two writes race for the claim); the loser is told who has the domain, and only the winner is on disk.
  const winner = results[0]!.status === 'written' ? 'one.example.xml' : 'two.example.xml';
  const claimed = new RegExp(`domain contested\\.example is already claimed by ${winner.replace(/\./g, '\\.')}`);
  t.match(results.find((r) => r.status === 'invalid'), { problems: [{ message: claimed }] });
  t.same(await readdir(dir), [winner]);
});

t.test('loading: an MX domain shadowing another provider is reported and left out', async (t) => {
  const dir = await copyProviders(t, ['posteo.de.xml']);
  await writeFile(join(dir, 'shadow.example.xml'), mxProvider('shadow.example', 'shadow.example', 'posteo.de'));
  await writeFile(join(dir, 'hoster.example.xml'), mxProvider('hoster.example', 'hoster.example', 'mx.hoster.example'));
  const { index, problems } = await openProviderDatabase(dir);
  t.match(problems, [{ file: 'shadow.example.xml', line: 5, severity: 'error', message: 'MX domain posteo.de shadows posteo.de.xml, which has it as an address domain' }]);
  t.notOk(index.get('shadow.example'));
  t.equal(index.byMxDomain('mx.hoster.example')?.file, 'hoster.example.xml');
  const store = await LiveProviderStore.open(dir);
  t.match(store.list().find((p) => p.file === 'shadow.example.xml'), { etag: undefined, problems: [{ line: 5 }] }, 'listed as not served, with why');
  // And the other way round: an address domain that is another provider's MX domain.
  const reverse = await store.write('rev.example', loopProvider('rev.example', 1).replace('<domain>rev.example</domain>', '<domain>mx.hoster.example</domain>'));
  t.match(reverse, { status: 'invalid', problems: [{ message: 'domain mx.hoster.example is an MX domain of hoster.example.xml, which would answer for it by MX' }] });
});

t.test('stale temp files of dead writers are removed when the store opens; live ones are kept', async (t) => {
  const dir = await copyProviders(t, []);
  const dead = `.x.example.xml.99999999.0123456789ab.tmp`;
  const alive = `.x.example.xml.${process.pid}.0123456789ab.tmp`;
  await writeFile(join(dir, dead), 'half a fi');
  await writeFile(join(dir, alive), 'being written');
  await LiveProviderStore.open(dir);
  t.same((await readdir(dir)).sort(), [alive]);
});

t.test('KeyedMutex serializes per key, not across keys', async (t) => {
  const mutex = new KeyedMutex();
  const events: string[] = [];
  // Each job holds its lock until the test releases it, so the order comes from the mutex, not from timers.
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };
  const job = (key: string, name: string, release: Promise<void>) =>
    mutex.run(key, async () => {
      events.push(`${name}+`);
      await release;
      events.push(`${name}-`);
    });
  const a1Gate = gate();
  const a1 = job('a', 'a1', a1Gate.opened);
  const a2 = job('a', 'a2', Promise.resolve());
  await job('b', 'b1', Promise.resolve());
  t.same(events, ['a1+', 'b1+', 'b1-'], 'b runs while a1 holds key a; a2 waits');
  a1Gate.open();
  await Promise.all([a1, a2]);
  t.same(events, ['a1+', 'b1+', 'b1-', 'a1-', 'a2+', 'a2-'], 'a2 starts only after a1 finished');
  await t.rejects(mutex.run('a', async () => Promise.reject(new Error('boom'))), /boom/);
  t.equal(await mutex.run('a', async () => 'next'), 'next', 'a failure releases the lock');
});

t.test('diff: per domain, added / removed / servers old -> new / moved', async (t) => {
  const a = entry('a.xml', loopProvider('a.example', 1).replace('<domain>a.example</domain>', '<domain>a.example</domain>\n    <domain>gone.example</domain>'));
  const b = entry('b.xml', loopProvider('b.example', 1));
  const a2 = entry('a.xml', loopProvider('a.example', 2).replace('<domain>a.example</domain>', '<domain>a.example</domain>\n    <domain>new.example</domain>'));
  const b2 = entry('b2.xml', loopProvider('b.example', 1));
  const changes = diffProviders([a, b], [a2, b2]);
  t.same(
    changes.map((c) => [c.domain, c.kind]),
    [
      ['a.example', 'changed'],
      ['b.example', 'changed'],
      ['gone.example', 'removed'],
      ['new.example', 'added'],
    ],
  );
  t.match(changes[0]?.details, [/^smtp: smtp\.a\.example:2 SSL\/TLS .* -> smtp\.a\.example:3 SSL\/TLS/, /^display name: version 1/]);
  t.same(changes[1]?.details, ['moved: b.xml -> b2.xml']);
  t.same(formatChange(changes[2]!), ['- gone.example  a.xml']);
  t.same(diffProviders([a, b], [a, b]), [], 'equal: nothing');
});
