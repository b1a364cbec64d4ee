import t from 'tap';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyProviders, startLiveService, waitFor, type RunningService } from '../helpers/providers.js';

/** Hand edits must be served within about a second (200 ms debounce); the margin covers a busy CI machine. */
const WITHIN_MS = 1500;

async function imapPort(service: RunningService, domain: string): Promise<string | undefined> {
  const res = await fetch(`${service.url}/v1.1/${domain}`);
  if (res.status !== 200) return `HTTP ${res.status}`;
  return /<incomingServer type="imap">\s*<hostname>[^<]*<\/hostname>\s*<port>(\d+)<\/port>/.exec(await res.text())?.[1];
}

t.test('a valid hand edit is served within a second', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir);
  t.equal(await imapPort(service, 'posteo.de'), '993');
  const file = join(dir, 'posteo.de.xml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('<port>993</port>', '<port>1993</port>'));
  const took = await waitFor(async () => (await imapPort(service, 'posteo.de')) === '1993', WITHIN_MS);
  t.not(took, -1, `served after ${took} ms`);
  t.match(service.logs.find((l) => l.file === 'posteo.de.xml'), { msg: /posteo\.de\.xml reloaded/ });
});

t.test('an invalid hand edit is reported with file:line and the last good version keeps serving', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir);
  const file = join(dir, 'posteo.de.xml');
  const good = await readFile(file, 'utf8');
  const broken = good.replace('<port>993</port>', '<port>99999</port>');
  const line = broken.split('\n').findIndex((l) => l.includes('99999')) + 1;
  await writeFile(file, broken);
  const reported = await waitFor(() => service.logs.some((l) => l.level === 40 && l.file === 'posteo.de.xml'), WITHIN_MS);
  t.not(reported, -1, 'reported');
  const warning = service.logs.find((l) => l.level === 40 && l.file === 'posteo.de.xml');
  t.equal(warning?.line, line);
  t.match(warning?.msg, `posteo.de.xml:${line}: port "99999" is not a number from 1 to 65535 (still serving its last good version)`);
  t.equal(await imapPort(service, 'posteo.de'), '993', 'the last good version is served');
  t.equal(await imapPort(service, 'posteo.at'), '993');

  // Not well-formed at all, then a domain stolen from another file: both refused the same way.
  await writeFile(file, good.replace('</emailProvider>', ''));
  t.not(await waitFor(() => service.logs.some((l) => /not well-formed/.test(l.msg)), WITHIN_MS), -1, 'not well-formed reported');
  await writeFile(file, good.replace('<domain>posteo.at</domain>', '<domain>gmx.net</domain>'));
  t.not(await waitFor(() => service.logs.some((l) => /domain gmx\.net is already claimed by gmx\.net\.xml/.test(l.msg)), WITHIN_MS), -1, 'clash reported');
  t.equal(await imapPort(service, 'posteo.at'), '993', 'still the last good version');
  t.match(await fetch(`${service.url}/v1.1/gmx.net`).then((r) => r.text()), /gmx\.net/, 'and gmx.net still answers from its own file');

  await writeFile(file, good.replace('<port>993</port>', '<port>1993</port>'));
  t.not(await waitFor(async () => (await imapPort(service, 'posteo.de')) === '1993', WITHIN_MS), -1, 'the fix is served');
});

t.test('files added, deleted and renamed by hand; temp files ignored', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir);
  const posteo = await readFile(join(dir, 'posteo.de.xml'), 'utf8');

  const hand = posteo.replace('id="posteo.de"', 'id="hand.example"').replace(/<domain>posteo[^<]*<\/domain>\n/g, '').replace('<displayName>', '<domain>hand.example</domain>\n    <displayName>');
  await writeFile(join(dir, 'hand.example.xml'), hand);
  t.not(await waitFor(async () => (await imapPort(service, 'hand.example')) === '993', WITHIN_MS), -1, 'new file served');

  await rm(join(dir, 't-online.de.xml'));
  t.not(await waitFor(async () => (await imapPort(service, 't-online.de')) === 'HTTP 404', WITHIN_MS), -1, 'deleted file no longer served');

  await rename(join(dir, 'gmx.net.xml'), join(dir, 'gmx.xml'));
  t.not(await waitFor(() => service.store.current().get('gmx')?.config.domains.includes('gmx.net') === true && !service.store.current().get('gmx.net'), WITHIN_MS), -1, 'renamed file served under its new name');
  t.equal(await imapPort(service, 'gmx.net'), '993');

  // What an atomic writer leaves while it works (and a killed one leaves behind): never read.
  const before = service.logs.length;
  await writeFile(join(dir, `.posteo.de.xml.999999.0123456789ab.tmp`), 'garbage <');
  await writeFile(join(dir, 'notes.txt'), 'not a provider');
  // The watcher handles events in order: once an edit made after them is served, the two files have been seen.
  const posteoFile = join(dir, 'posteo.de.xml');
  await writeFile(posteoFile, posteo.replace('<port>993</port>', '<port>1993</port>'));
  t.not(await waitFor(async () => (await imapPort(service, 'posteo.de')) === '1993', WITHIN_MS), -1, 'a later edit is served');
  t.same(service.logs.slice(before).filter((l) => l.level >= 40), [], 'no warnings');
  t.same(service.logs.slice(before).map((l) => l.file).filter(Boolean), ['posteo.de.xml'], 'only the provider file was read');
});

t.test('closing the server stops the watcher', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir);
  // A second service on the same directory is the witness: it sees the same change at the same moment, with the
  // same debounce, so once it has reloaded, an open watcher of the closed one would have reloaded too.
  const witness = await startLiveService(t, dir);
  await service.close();
  const file = join(dir, 'posteo.de.xml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('<port>993</port>', '<port>1993</port>'));
  t.not(await waitFor(async () => (await imapPort(witness, 'posteo.de')) === '1993', WITHIN_MS), -1, 'the witness reloaded');
  await service.store.settled();
  const imap = service.store.current().byDomain('posteo.de')?.config.servers.find((s) => s.protocol === 'imap');
  t.equal(imap?.port, 993, 'no reload after close');
  t.same(service.logs.filter((l) => l.file === 'posteo.de.xml'), [], 'and nothing logged about the file');
});
