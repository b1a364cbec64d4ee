import t from 'tap';
import { parseXml, childrenNamed, firstChild } from '../../src/xml/parse.js';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer();
t.teardown(() => server.close());

t.test('autoconfig URL fills the address into the user name', async (t) => {
  const res = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=alice%40posteo.de`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/xml/);
  const root = parseXml(await res.text());
  const provider = firstChild(root, 'emailProvider')!;
  const imap = childrenNamed(provider, 'incomingServer')[0]!;
  t.equal(firstChild(imap, 'hostname')?.text, 'posteo.de');
  t.equal(firstChild(imap, 'username')?.text, 'alice@posteo.de');
});

t.test('well-known path and any case of the path answer the same', async (t) => {
  const a = await fetch(`${server.url}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=bob%40gmail.com`);
  const b = await fetch(`${server.url}/Mail/Config-v1.1.XML?EmailAddress=bob%40gmail.com`);
  t.equal(a.status, 200);
  t.equal(b.status, 200);
  t.equal(await a.text(), await b.text());
});

t.test('ISPDB mirror keeps the placeholders', async (t) => {
  const res = await fetch(`${server.url}/v1.1/t-online.de`);
  t.equal(res.status, 200);
  const body = await res.text();
  t.match(body, /<username>%EMAILADDRESS%<\/username>/);
  t.match(body, /secureimap\.t-online\.de/);
});

t.test('unknown domain is 404, a non-address 400', async (t) => {
  t.equal((await fetch(`${server.url}/v1.1/unknown-domain.example`)).status, 404);
  t.equal((await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=unknown%40nowhere.example`)).status, 404);
  const bad = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=not-an-address`);
  t.equal(bad.status, 400);
  t.match(await bad.text(), /no @/);
});

t.test('the address is escaped, never injected', async (t) => {
  const res = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent("o'&x@posteo.de")}`);
  t.equal(res.status, 200);
  const body = await res.text();
  t.match(body, /<username>o&apos;&amp;x@posteo\.de<\/username>/);
  t.doesNotThrow(() => parseXml(body));
});

t.test('IDN domains are accepted and normalized to punycode', async (t) => {
  const res = await fetch(`${server.url}/v1.1/${encodeURIComponent('bücher.example')}`);
  t.equal(res.status, 404);
  t.match(await res.text(), /xn--bcher-kva\.example/);
});

t.test('an address that looks like a placeholder is filled in once, not twice', async (t) => {
  const res = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent('%EMAILDOMAIN%@posteo.de')}`);
  t.equal(res.status, 200);
  t.match(await res.text(), /<username>%EMAILDOMAIN%@posteo\.de<\/username>/);
});

t.test('a host name made of a placeholder is filled in for the address', async (t) => {
  const res = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=alice%40mail.ee`);
  t.equal(res.status, 200);
  const provider = firstChild(parseXml(await res.text()), 'emailProvider')!;
  const hosts = childrenNamed(provider, 'incomingServer').map((el) => firstChild(el, 'hostname')?.text);
  t.ok(hosts.length > 0);
  for (const host of hosts) t.equal(host, 'mail.ee');
});
