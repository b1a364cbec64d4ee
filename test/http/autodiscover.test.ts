import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { RESPONSE_NS, OUTLOOK_RESPONSE_SCHEMA } from '../../src/formats/autodiscover.js';
import { buildServer } from '../../src/http/server.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { parseAddress } from '../../src/settings/address.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { fillTemplate } from '../../src/settings/placeholders.js';
import { preferredServers } from '../../src/settings/preference.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { MOBILESYNC_REQUEST_NS, MOBILESYNC_SCHEMA, poxRequest, readPox, type PoxProtocol } from '../helpers/autodiscover.js';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer();
t.teardown(() => server.close());
const POX = '/autodiscover/autodiscover.xml';

function post(body: string, headers: Record<string, string> = { 'content-type': 'text/xml' }, path = '/Autodiscover/Autodiscover.xml') {
  return fetch(`${server.url}${path}`, { method: 'POST', body, headers });
}

/** A bundled provider (and an address at it) whose best server of `protocol` matches `test`, from the data itself. */
function findProvider(protocol: 'imap' | 'pop3' | 'smtp', test: (s: ServerSettings) => boolean) {
  for (const entry of server.store.current().entries()) {
    const best = preferredServers(entry.config);
    const chosen = protocol === 'smtp' ? best.outgoing : best[protocol];
    const domain = entry.config.domains[0];
    if (chosen && domain && test(chosen)) return { entry, server: chosen, address: parseAddress(`alice@${domain}`) };
  }
  throw new Error(`no bundled provider has a best ${protocol} server like that`);
}

function protocolOf(protocols: PoxProtocol[], type: string): PoxProtocol {
  const found = protocols.find((p) => p.Type === type);
  if (!found) throw new Error(`no ${type} Protocol`);
  return found;
}

t.test('Outlook\'s request gets the 2006a answer with the provider\'s servers', async (t) => {
  const { entry, address } = findProvider('imap', (s) => s.security === 'tls' && s.port === 993);
  const res = await post(poxRequest(address.address));
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
  const answer = readPox(await res.text());
  t.equal(answer.root.attrs.xmlns, RESPONSE_NS);
  t.equal(answer.response.attrs.xmlns, OUTLOOK_RESPONSE_SCHEMA);
  const best = preferredServers(entry.config);
  const expected = [best.imap, best.pop3, best.outgoing].filter((s) => s !== undefined);
  t.same(answer.protocols.map((p) => [p.Type, p.Server, p.Port, p.LoginName]), expected.map((s) => [s.protocol.toUpperCase(), fillTemplate(s.host, address), String(s.port), fillTemplate(s.username, address)]));
  for (const p of answer.protocols) {
    t.equal(p.SPA, 'off', `${p.Type} SPA off`);
    t.equal(p.DomainRequired, 'off');
    t.equal(p.AuthRequired, 'on');
  }
  const smtp = protocolOf(answer.protocols, 'SMTP');
  t.equal(smtp.UsePOPAuth, 'on');
  t.equal(smtp.SMTPLast, 'off');
});

t.test('Encryption SSL on implicit-TLS ports 993/995/465, TLS for STARTTLS on 143/587', async (t) => {
  const cases: ['imap' | 'pop3' | 'smtp', number, 'tls' | 'starttls', string][] = [
    ['imap', 993, 'tls', 'SSL'],
    ['pop3', 995, 'tls', 'SSL'],
    ['smtp', 465, 'tls', 'SSL'],
    ['imap', 143, 'starttls', 'TLS'],
    ['smtp', 587, 'starttls', 'TLS'],
  ];
  for (const [protocol, port, security, encryption] of cases) {
    const found = findProvider(protocol, (s) => s.port === port && s.security === security);
    const res = await post(poxRequest(found.address.address));
    const p = protocolOf(readPox(await res.text()).protocols, protocol.toUpperCase());
    t.equal(p.Port, String(port), `${found.entry.file}: ${protocol} port`);
    t.equal(p.SSL, 'on', `${found.entry.file}: ${protocol} ${port} SSL on`);
    t.equal(p.Encryption, encryption, `${found.entry.file}: ${protocol} ${port} Encryption ${encryption}`);
  }
  const plain = findProvider('pop3', (s) => s.security === 'none');
  const p = protocolOf(readPox(await (await post(poxRequest(plain.address.address))).text()).protocols, 'POP3');
  t.same([p.SSL, p.Encryption], ['off', 'None'], `${plain.entry.file}: no encryption is SSL off + Encryption None`);
});

t.test('POP3 is named POP3', async (t) => {
  const found = findProvider('pop3', () => true);
  const answer = readPox(await (await post(poxRequest(found.address.address))).text());
  t.ok(answer.protocols.some((p) => p.Type === 'POP3'));
  t.notOk(answer.protocols.some((p) => p.Type === 'POP'));
});

t.test('an SMTP server that takes no credentials is not sent AuthRequired on', async (t) => {
  const found = findProvider('smtp', (s) => s.auth.every((m) => m === 'none'));
  const smtp = protocolOf(readPox(await (await post(poxRequest(found.address.address))).text()).protocols, 'SMTP');
  t.same([smtp.AuthRequired, smtp.UsePOPAuth], ['off', 'off'], found.entry.file);
});

t.test('any reasonable Content-Type, and none', async (t) => {
  const body = poxRequest('alice@posteo.de');
  const reference = await (await post(body)).text();
  const types = ['text/xml; charset=utf-8', 'application/xml', 'text/plain', 'application/x-www-form-urlencoded', 'application/json', 'application/octet-stream', 'TEXT/XML; charset="UTF-8"', 'weird', ''];
  for (const type of types) {
    const res = await post(body, { 'content-type': type });
    t.equal(res.status, 200, `Content-Type ${JSON.stringify(type)}`);
    t.equal(await res.text(), reference, `Content-Type ${JSON.stringify(type)}: same answer`);
  }
  // fetch always labels a string body; a raw request without the header:
  const res = await fetch(`${server.url}${POX}`, { method: 'POST', body: new Blob([body]) });
  t.equal(res.status, 200, 'no Content-Type at all');
  t.equal(await res.text(), reference);
});

t.test('paths in lower case and in Outlook\'s case', async (t) => {
  const body = poxRequest('alice@posteo.de');
  const lower = await post(body, undefined, POX);
  const outlook = await post(body, undefined, '/Autodiscover/Autodiscover.xml');
  const upper = await post(body, undefined, '/AUTODISCOVER/AUTODISCOVER.XML');
  t.same([lower.status, outlook.status, upper.status], [200, 200, 200]);
  const texts = await Promise.all([lower.text(), outlook.text(), upper.text()]);
  t.equal(texts[1], texts[0]);
  t.equal(texts[2], texts[0]);
});

t.test('a namespace-prefixed request; the response namespace is never the request\'s', async (t) => {
  const body = `<?xml version="1.0"?><q:Autodiscover xmlns:q="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><q:Request><q:EMailAddress>alice@posteo.de</q:EMailAddress><q:AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</q:AcceptableResponseSchema></q:Request></q:Autodiscover>`;
  const answer = readPox(await (await post(body)).text());
  t.equal(answer.protocols[0]?.LoginName, 'alice@posteo.de');
  t.equal(answer.root.name, 'Autodiscover');
  t.equal(answer.root.attrs.xmlns, RESPONSE_NS);
  t.notOk(Object.keys(answer.root.attrs).some((k) => k.startsWith('xmlns:')), 'no prefix echoed');
});

t.test('LegacyDN', async (t) => {
  const body = (dn: string) => `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><LegacyDN>${dn}</LegacyDN><AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
  const ok = await post(body('/o=Posteo/ou=Users/cn=Recipients/cn=alice@posteo.de'));
  t.equal(ok.status, 200);
  t.equal(protocolOf(readPox(await ok.text()).protocols, 'IMAP').LoginName, 'alice@posteo.de');
  const unknown = await post(body('/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice'));
  t.equal(unknown.status, 200);
  t.equal(readPox(await unknown.text()).error?.code, '500');
});

t.test('mobilesync and other schemas: error 601, no IMAP data', async (t) => {
  for (const body of [poxRequest('alice@posteo.de', MOBILESYNC_SCHEMA, MOBILESYNC_REQUEST_NS), poxRequest('alice@posteo.de', 'http://example.org/not/a/schema')]) {
    const res = await post(body);
    t.equal(res.status, 200);
    const text = await res.text();
    const answer = readPox(text);
    t.equal(answer.error?.code, '601');
    t.same(answer.protocols, []);
    t.notOk(answer.response.children.some((c) => c.name === 'Account'), 'no Account');
    t.notOk(text.includes('posteo.de<') || text.includes('IMAP'), 'no server data anywhere');
    t.equal(answer.root.attrs.xmlns, RESPONSE_NS, 'the requested schema is not echoed as a namespace');
    t.equal(answer.response.attrs.xmlns, undefined);
  }
});

t.test('XML injection through the address is escaped; the documents still parse', async (t) => {
  const res = await post(poxRequest('o&apos;&amp;x@posteo.de'));
  t.equal(res.status, 200);
  const text = await res.text();
  t.equal(protocolOf(readPox(text).protocols, 'IMAP').LoginName, "o'&x@posteo.de");
  t.ok(text.includes('<LoginName>o&apos;&amp;x@posteo.de</LoginName>'));
  // Markup in the domain is refused, and the reason says so without quoting it.
  const bad = await post(poxRequest('alice@posteo.de&lt;/DebugData&gt;&lt;ErrorCode&gt;200'));
  t.equal(bad.status, 400);
  const badText = await bad.text();
  const answer = readPox(badText);
  t.equal(answer.error?.code, '600');
  t.match(answer.error?.debugData, /the domain is not a valid domain name/);
  t.notMatch(badText, /DebugData&gt;|ErrorCode&gt;200/, 'the input is not echoed');
  // Through the GET form too.
  const get = await fetch(`${server.url}${POX}?email=${encodeURIComponent('<x>@posteo.de')}`);
  t.equal(get.status, 400);
  t.equal(readPox(await get.text()).error?.code, '600');
});

t.test('DOCTYPE and entities: error 600, HTTP 400', async (t) => {
  const bodies = [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Autodiscover><Request><EMailAddress>&lol2;@posteo.de</EMailAddress></Request></Autodiscover>',
    '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&xxe;</EMailAddress></Request></Autodiscover>',
    'this is not XML',
  ];
  for (const body of bodies) {
    const res = await post(body);
    t.equal(res.status, 400);
    t.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
    const error = readPox(await res.text()).error;
    t.equal(error?.code, '600');
    t.equal(error?.message, 'Invalid Request');
    t.match(error?.time, /^\d\d:\d\d:\d\d\.\d{7}$/);
    t.match(error?.id, /\S/);
  }
});

t.test('an oversized body: the XML error document with HTTP 413, never fastify\'s JSON', async (t) => {
  const body = poxRequest('alice@posteo.de').replace('<Request>', `<Request><!--${'x'.repeat(20 * 1024)}-->`);
  const res = await post(body);
  t.equal(res.status, 413);
  t.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
  const error = readPox(await res.text()).error;
  t.equal(error?.code, '600');
  t.match(error?.debugData, /larger than 16384 bytes/);
});

t.test('missing address: error 600, HTTP 400', async (t) => {
  const noAddress = `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
  for (const body of [noAddress, poxRequest(''), poxRequest('not-an-address'), '']) {
    const res = await post(body);
    t.equal(res.status, 400, JSON.stringify(body.slice(0, 40)));
    t.equal(readPox(await res.text()).error?.code, '600');
  }
});

t.test('unknown domain: error 501 with HTTP 200', async (t) => {
  const res = await post(poxRequest('alice@unknown-domain.example'));
  t.equal(res.status, 200);
  const answer = readPox(await res.text());
  t.equal(answer.error?.code, '501');
  t.match(answer.error?.debugData, /unknown-domain\.example/);
});

t.test('GET answers from ?email= or ?emailaddress=, else error 600', async (t) => {
  const posted = await (await post(poxRequest('alice@posteo.de'))).text();
  for (const query of ['email=alice%40posteo.de', 'EmailAddress=alice%40posteo.de']) {
    const res = await fetch(`${server.url}/Autodiscover/Autodiscover.xml?${query}`);
    t.equal(res.status, 200, query);
    t.equal(await res.text(), posted, `${query}: the same answer as POST`);
  }
  const none = await fetch(`${server.url}${POX}`);
  t.equal(none.status, 400);
  t.equal(readPox(await none.text()).error?.code, '600');
  const unknown = await fetch(`${server.url}${POX}?email=bob%40unknown-domain.example`);
  t.equal(readPox(await unknown.text()).error?.code, '501');
});

t.test('an unexpected failure is error 603 with HTTP 200, no details leaked', async (t) => {
  const failing = await startTestServer({ resolver: () => ({ resolve: async () => { throw new Error('secret internal detail at /srv/x.js:1'); } }) });
  t.teardown(() => failing.close());
  const res = await fetch(`${failing.url}${POX}`, { method: 'POST', body: poxRequest('alice@posteo.de'), headers: { 'content-type': 'text/xml' } });
  t.equal(res.status, 200);
  const text = await res.text();
  t.equal(readPox(text).error?.code, '603');
  t.notOk(text.includes('secret') || text.includes('.js'), 'no exception text or stack');
});

t.test('each bad request is logged once, with its reason', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const config = { ...loadConfig({}), host: '127.0.0.1', port: 0 };
  const { index } = await openProviderDatabase(config.providersDir);
  const store = new StaticProviderStore(index);
  const app = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store) }, { logger: { level: 'info', stream } });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  const cases: [string, RequestInit, RegExp][] = [
    [POX, { method: 'POST', body: poxRequest('alice') }, /no @/],
    [POX, { method: 'POST', body: 'x'.repeat(17 * 1024) }, /larger than/],
    [POX, { method: 'POST', body: poxRequest('alice@posteo.de', MOBILESYNC_SCHEMA) }, /not served/],
    ['/autodiscover/autodiscover.json?Email=alice%40posteo.de&Protocol=Ews', {}, /Ews/],
  ];
  for (const [path, init, reason] of cases) {
    lines.length = 0;
    await (await fetch(`${base}${path}`, init)).text();
    const logged = lines.filter((l) => typeof l.reason === 'string');
    t.equal(logged.length, 1, `${path}: one line with a reason`);
    t.match(logged[0]?.reason, reason);
  }
});

t.test('V2 JSON: both URL forms, Protocol in any case', async (t) => {
  const urls = [
    '/autodiscover/autodiscover.json?Email=alice%40posteo.de&Protocol=AutodiscoverV1&RedirectCount=1',
    '/Autodiscover/Autodiscover.json?email=alice%40posteo.de&protocol=autodiscoverv1',
    '/autodiscover/autodiscover.json/v1.0/alice@posteo.de?Protocol=Autodiscoverv1',
    '/Autodiscover/Autodiscover.json/v1.0/alice%40posteo.de?Protocol=autodiscoverv1',
  ];
  for (const url of urls) {
    const res = await fetch(`${server.url}${url}`);
    t.equal(res.status, 200, url);
    t.match(res.headers.get('content-type'), /^application\/json/);
    t.same(await res.json(), { Protocol: 'AutodiscoverV1', Url: `${server.url}/autodiscover/autodiscover.xml` }, url);
  }
});

t.test('V2 JSON: the configured public URL is used', async (t) => {
  const configured = await startTestServer({ env: { MAILCONFIG_PUBLIC_URL: 'https://autoconfig.example.net/' } });
  t.teardown(() => configured.close());
  const res = await fetch(`${configured.url}/autodiscover/autodiscover.json/v1.0/alice@posteo.de?Protocol=AutodiscoverV1`);
  t.same(await res.json(), { Protocol: 'AutodiscoverV1', Url: 'https://autoconfig.example.net/autodiscover/autodiscover.xml' });
});

t.test('V2 JSON: other protocols and bad addresses get HTTP 400 JSON', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['/autodiscover/autodiscover.json?Email=alice%40posteo.de&Protocol=Ews', 'InvalidProtocol', /Ews/],
    ['/autodiscover/autodiscover.json/v1.0/alice@posteo.de?Protocol=ActiveSync', 'InvalidProtocol', /ActiveSync/],
    ['/autodiscover/autodiscover.json?Email=alice%40posteo.de', 'InvalidProtocol', /missing/],
    ['/autodiscover/autodiscover.json?Protocol=AutodiscoverV1', 'InvalidUser', /missing/],
    ['/autodiscover/autodiscover.json?Email=alice&Protocol=AutodiscoverV1', 'InvalidUser', /no @/],
    ['/autodiscover/autodiscover.json/v1.0/%3Cx%3E%40posteo.de?Protocol=AutodiscoverV1', 'InvalidUser', /characters/],
  ];
  for (const [url, code, message] of cases) {
    const res = await fetch(`${server.url}${url}`);
    t.equal(res.status, 400, url);
    t.match(res.headers.get('content-type'), /^application\/json/);
    const body = (await res.json()) as { ErrorCode: string; ErrorMessage: string };
    t.equal(body.ErrorCode, code, url);
    t.match(body.ErrorMessage, message, url);
  }
});

t.test('an IDN address: looked up in punycode, answered in punycode', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-idn-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'buecher.xml'), [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1"><emailProvider id="bücher.example">',
    '  <domain>bücher.example</domain>',
    '  <incomingServer type="imap"><hostname>imap.xn--bcher-kva.example</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>',
    '  <outgoingServer type="smtp"><hostname>smtp.xn--bcher-kva.example</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>',
    '</emailProvider></clientConfig>',
  ].join('\n'));
  const idn = await startTestServer({ env: { MAILCONFIG_PROVIDERS: dir } });
  t.teardown(() => idn.close());
  for (const address of ['jörg@bücher.example', 'jörg@xn--bcher-kva.example', 'jörg@BÜCHER.example']) {
    const res = await fetch(`${idn.url}${POX}`, { method: 'POST', body: poxRequest(address), headers: { 'content-type': 'text/xml; charset=utf-8' } });
    t.equal(res.status, 200, address);
    const imap = protocolOf(readPox(await res.text()).protocols, 'IMAP');
    t.equal(imap.Server, 'imap.xn--bcher-kva.example', address);
    t.equal(imap.LoginName, 'jörg@xn--bcher-kva.example', address);
  }
  const v2 = await fetch(`${idn.url}/autodiscover/autodiscover.json/v1.0/${encodeURIComponent('jörg@bücher.example')}?Protocol=AutodiscoverV1`);
  t.equal(v2.status, 200);
  const unknown = readPox(await (await fetch(`${server.url}${POX}`, { method: 'POST', body: poxRequest('jörg@bücher.example') })).text());
  t.equal(unknown.error?.code, '501');
  t.match(unknown.error?.debugData, /bücher\.example \(xn--bcher-kva\.example\)/, 'both forms in the reason');
});
