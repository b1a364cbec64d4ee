import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { etagOf } from '../../src/providers/database.js';
import { parseProvider } from '../../src/providers/parse.js';
import { copyProviders, startLiveService, type RunningService } from '../helpers/providers.js';

const TOKEN = 'test-admin-token-0123456789';
const ALICE = 'alice-token-abcdefghijklmnop';
const BOB = 'bob-token-qrstuvwxyz0123456';

/** A valid provider file; `port` varies the content so writes are distinguishable. */
function providerXml(id: string, domains: string[], port = 993, extra = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${id}">`,
    ...domains.map((d) => `    <domain>${d}</domain>`),
    extra,
    '    <incomingServer type="imap">',
    `      <hostname>imap.${id}</hostname>`,
    `      <port>${port}</port>`,
    '      <socketType>SSL</socketType>',
    '      <username>%EMAILADDRESS%</username>',
    '      <authentication>password-cleartext</authentication>',
    '    </incomingServer>',
    '    <outgoingServer type="smtp">',
    `      <hostname>smtp.${id}</hostname>`,
    '      <port>465</port>',
    '      <socketType>SSL</socketType>',
    '      <username>%EMAILADDRESS%</username>',
    '      <authentication>password-cleartext</authentication>',
    '    </outgoingServer>',
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}

function auth(token: string = TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function put(service: RunningService, id: string, body: string, headers: Record<string, string> = {}, type = 'application/xml') {
  return fetch(`${service.url}/admin/providers/${id}`, { method: 'PUT', headers: { ...auth(), 'content-type': type, ...headers }, body });
}

async function served(service: RunningService, domain: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${service.url}/v1.1/${domain}`);
  return { status: res.status, body: await res.text() };
}

t.test('configuration: tokens from the environment and from a file', async (t) => {
  const dir = await copyProviders(t, []);
  t.equal(loadConfig({}).admin, undefined, 'no token: no admin API');
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN: 'short' }), { name: 'ConfigError', message: /^MAILCONFIG_ADMIN_TOKEN: the token is shorter than 16/ });
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: join(dir, 'missing') }), { name: 'ConfigError', message: /^MAILCONFIG_ADMIN_TOKEN_FILE=.*missing cannot be read: ENOENT/ });
  const file = join(dir, 'tokens');
  await writeFile(file, '# admins\nalice:tooshort\n');
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file }), { message: /^MAILCONFIG_ADMIN_TOKEN_FILE=.* line 2: the token is shorter/ });
  await writeFile(file, 'no-colon-here-at-all\n');
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file }), { message: /line 1: expected name:token/ });
  await writeFile(file, '\n');
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file }), { message: /holds no name:token line/ });
  await writeFile(file, `alice:${ALICE}\n\n# bob joined later\nbob: ${BOB}\n`);
  t.same(loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file }).admin?.tokens.map((x) => x.name), ['alice', 'bob']);
  const secret = 'do-not-print-this-secret';
  await writeFile(file, `alice:${secret}\nbob:${secret}\n`);
  t.throws(() => loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file }), { message: /already used by another name/ });
  try {
    loadConfig({ MAILCONFIG_ADMIN_TOKEN_FILE: file });
  } catch (error) {
    t.notMatch((error as Error).message, secret, 'a token never appears in an error');
  }
});

t.test('without a token the admin API does not exist', async (t) => {
  const service = await startLiveService(t, await copyProviders(t));
  const res = await fetch(`${service.url}/admin/providers`, { headers: auth() });
  t.equal(res.status, 404);
});

t.test('token checks: none 401, wrong 403, right 200; named tokens are logged', async (t) => {
  const dir = await copyProviders(t);
  // Not *.xml: the provider loader leaves it alone.
  const tokens = join(dir, 'tokens.txt');
  await writeFile(tokens, `alice:${ALICE}\nbob:${BOB}\n`);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN_FILE: tokens, MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const url = `${service.url}/admin/providers`;

  const none = await fetch(url);
  t.equal(none.status, 401);
  t.match(none.headers.get('www-authenticate'), /^Bearer/);
  t.match(await none.json(), { error: /Bearer/ });
  t.equal((await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } })).status, 401, 'another scheme');
  t.equal((await fetch(url, { headers: auth('wrong-token-but-long-enough') })).status, 403);
  t.equal((await fetch(url, { headers: auth(`${TOKEN}x`) })).status, 403, 'a longer token is not a prefix match');
  // Four failures so far: a valid token starts the count again (the fifth in a minute would block the address).
  t.equal((await fetch(url, { headers: auth(TOKEN) })).status, 200);
  t.equal((await fetch(url, { headers: auth(TOKEN.slice(0, -1)) })).status, 403);
  t.equal((await fetch(`${service.url}/admin/providers/posteo.de`, { method: 'DELETE', headers: auth('wrong-token-but-long-enough') })).status, 403, 'no change without the right token');
  t.ok(await readFile(join(dir, 'posteo.de.xml')), 'file still there');
  for (const token of [TOKEN, ALICE, BOB]) t.equal((await fetch(url, { headers: auth(token) })).status, 200);

  const res = await put(service, 'hoster.example', providerXml('hoster.example', ['hoster.example']), auth(BOB));
  t.equal(res.status, 201);
  const line = service.logs.find((l) => l.action === 'created');
  t.ok(line, 'the change is logged');
  t.equal(line?.admin, 'bob', 'with who made it');
  t.match(line?.msg, /admin bob created provider hoster\.example\.xml: added hoster\.example/);
  t.notOk(JSON.stringify(service.logs).includes(BOB), 'tokens are never logged');
});

t.test('list, read with ETag, JSON view', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const list = await fetch(`${service.url}/admin/providers`, { headers: auth() });
  t.equal(list.status, 200);
  const body = (await list.json()) as { count: number; providers: { key: string; file: string; domains: string[]; etag: string }[] };
  t.equal(body.count, 3);
  const posteo = body.providers.find((p) => p.key === 'posteo.de');
  const text = await readFile(join(dir, 'posteo.de.xml'), 'utf8');
  t.match(posteo, { file: 'posteo.de.xml', etag: etagOf(text) });
  t.ok(posteo?.domains.includes('posteo.at'));

  const one = await fetch(`${service.url}/admin/providers/posteo.de`, { headers: auth() });
  t.equal(one.status, 200);
  t.equal(one.headers.get('etag'), etagOf(text));
  t.match(one.headers.get('content-type'), /xml/);
  t.equal(await one.text(), text, 'the file as it is on disk');

  const json = await fetch(`${service.url}/admin/providers/posteo.de`, { headers: { ...auth(), accept: 'application/json' } });
  const view = (await json.json()) as { serving: boolean; config: { domains: string[]; servers: unknown[] } };
  t.equal(view.serving, true);
  t.equal(view.config.servers.length, 6);

  t.equal((await fetch(`${service.url}/admin/providers/nope.example`, { headers: auth() })).status, 404);
});

t.test('ids are file names: no path tricks', async (t) => {
  const service = await startLiveService(t, await copyProviders(t), { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  for (const id of ['..%2F..%2Fetc%2Fpasswd', 'x%2F..', '..%5Cwin', '.hidden', 'Posteo.de', 'a%00b', 'a..b', '-x']) {
    const res = await fetch(`${service.url}/admin/providers/${id}`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/xml' }, body: providerXml('x.example', ['x.example']) });
    t.equal(res.status, 400, id);
    t.match(await res.json(), { error: /not a provider id/ }, id);
  }
  t.equal((await fetch(`${service.url}/admin/providers/posteo.de.xml`, { headers: auth() })).status, 200, 'a trailing .xml is tolerated');
});

t.test('PUT validates like the CLI: errors with line numbers (422)', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const broken = providerXml('hoster.example', ['hoster.example'], 99999)
    .replace('<username>%EMAILADDRESS%</username>', '<username>%EMAILADDRESS</username>')
    .replace(`<hostname>smtp.hoster.example</hostname>`, '<hostName>smtp.hoster.example</hostName>');
  const lineOf = (needle: string) => broken.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const res = await put(service, 'hoster.example', broken);
  t.equal(res.status, 422);
  const body = (await res.json()) as { errors: { line: number; message: string }[]; warnings: unknown[] };
  t.ok(body.errors.some((e) => e.line === lineOf('<port>99999') && /port "99999"/.test(e.message)), 'port, at its line');
  t.ok(body.errors.some((e) => e.line === lineOf('%EMAILADDRESS<') && /broken placeholder/.test(e.message)), 'placeholder, at its line');
  t.ok(body.errors.some((e) => e.line === lineOf('<hostName>') && /unknown element "hostName" in <\w+>.*did you mean <hostname>/.test(e.message)), 'unknown element, at its line');
  t.same(await readdir(dir).then((names) => names.sort()), ['gmx.net.xml', 'posteo.de.xml', 't-online.de.xml'], 'nothing written');

  const notXml = await put(service, 'hoster.example', '<clientConfig><emailProvider>\n</clientConfig>');
  t.equal(notXml.status, 422);
  t.match(await notXml.json(), { errors: [{ line: Number, message: /not well-formed/ }] });

  const claimed = providerXml('hoster.example', ['hoster.example', 'posteo.at']);
  const clash = await put(service, 'hoster.example', claimed);
  t.equal(clash.status, 422);
  t.match(await clash.json(), { errors: [{ line: claimed.split('\n').findIndex((l) => l.includes('posteo.at')) + 1, message: 'domain posteo.at is already claimed by posteo.de.xml' }] });

  const shadow = await put(service, 'hoster.example', providerXml('hoster.example', ['hoster.example'], 993, '    <domain purpose="mx">gmx.net</domain>'));
  t.equal(shadow.status, 422);
  t.match(await shadow.json(), { errors: [{ message: /MX domain gmx\.net shadows gmx\.net\.xml/ }] });

  const warned = await put(service, 'plain.example', providerXml('plain.example', ['plain.example']).replaceAll('<socketType>SSL</socketType>', '<socketType>plain</socketType>'));
  t.equal(warned.status, 201, 'warnings do not refuse');
  t.match(await warned.json(), { warnings: [{ message: /only without encryption/ }] });

  t.equal((await put(service, 'hoster.example', 'domain=hoster.example', {}, 'text/plain')).status, 415);
  t.equal((await put(service, 'hoster.example', '', {})).status, 400);
});

t.test('PUT JSON (the MailConfig shape) is rendered and validated the same way', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const config = {
    domains: ['json.example'],
    mxDomains: ['mx.json.example'],
    displayName: 'JSON Hoster',
    servers: [
      { protocol: 'imap', host: 'imap.json.example', port: 993, security: 'tls', auth: ['password-cleartext'], username: '%EMAILLOCALPART%' },
      { protocol: 'smtp', host: 'smtp.json.example', port: 587, security: 'starttls' },
    ],
  };
  const res = await put(service, 'json.example', JSON.stringify(config), {}, 'application/json');
  t.equal(res.status, 201);
  const written = await readFile(join(dir, 'json.example.xml'), 'utf8');
  const parsed = parseProvider(written, { file: 'json.example.xml' });
  t.same(parsed.problems, []);
  t.equal(parsed.config?.id, 'json.example', 'id defaults to the key');
  t.same(parsed.config?.mxDomains, ['mx.json.example']);
  const now = await served(service, 'json.example');
  t.equal(now.status, 200, 'served at once');
  t.match(now.body, /<username>%EMAILLOCALPART%<\/username>/);

  // The JSON view of GET round-trips through PUT.
  const view = await fetch(`${service.url}/admin/providers/json.example`, { headers: { ...auth(), accept: 'application/json' } });
  const again = await put(service, 'json.example', await view.text(), { 'if-match': view.headers.get('etag') ?? '' }, 'application/json');
  t.equal(again.status, 200);

  const shape = await put(service, 'bad.example', JSON.stringify({ domains: 'bad.example', servers: [{ protocol: 'imap', host: 'h.example', port: 'x', security: 'maybe' }] }), {}, 'application/json');
  t.equal(shape.status, 422);
  const shapeBody = (await shape.json()) as { errors: { line: null; path: string; message: string }[] };
  t.same(shapeBody.errors.map((e) => e.path).sort(), ['$.domains', '$.servers[0].port', '$.servers[0].security']);

  const rendered = await put(service, 'bad.example', JSON.stringify({ domains: ['bad.example'], servers: [{ protocol: 'imap', host: 'h.bad.example', port: 993, security: 'ssl', auth: ['magic'] }] }), {}, 'application/json');
  t.equal(rendered.status, 422);
  const renderedBody = (await rendered.json()) as { errors: { line: number; message: string }[]; xml: string };
  const error = renderedBody.errors.find((e) => /authentication "magic"/.test(e.message));
  t.ok(error, 'the parser reports the unknown method');
  t.match(renderedBody.xml.split('\n')[(error?.line ?? 0) - 1], /<authentication>magic<\/authentication>/, 'its line is in the returned XML');

  t.equal((await put(service, 'bad.example', '{not json', {}, 'application/json')).status, 400);
});

t.test('If-Match: stale ETag 412; two concurrent PUTs with the same ETag: exactly one wins', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const first = await put(service, 'race.example', providerXml('race.example', ['race.example'], 1001), { 'if-none-match': '*' });
  t.equal(first.status, 201);
  const etag = first.headers.get('etag') ?? '';
  t.equal(etag, etagOf(await readFile(join(dir, 'race.example.xml'))));
  t.equal((await put(service, 'race.example', providerXml('race.example', ['race.example'], 1002), { 'if-none-match': '*' })).status, 412, 'If-None-Match: * refuses to overwrite');

  for (let round = 0; round < 3; round++) {
    const current = (await fetch(`${service.url}/admin/providers/race.example`, { headers: auth() })).headers.get('etag') ?? '';
    const bodies = [providerXml('race.example', ['race.example'], 2000 + round * 2), providerXml('race.example', ['race.example'], 2001 + round * 2)];
    const answers = await Promise.all(bodies.map((body) => put(service, 'race.example', body, { 'if-match': current })));
    const statuses = answers.map((a) => a.status).sort();
    t.same(statuses, [200, 412], `round ${round}: one wins, the other gets 412`);
    const winner = bodies[answers.findIndex((a) => a.status === 200)]!;
    const loser = answers.find((a) => a.status === 412)!;
    t.equal(loser.headers.get('etag'), etagOf(winner), 'the 412 carries the new ETag');
    t.equal(await readFile(join(dir, 'race.example.xml'), 'utf8'), winner, 'the file holds the winner');
  }
  t.equal((await put(service, 'race.example', providerXml('race.example', ['race.example'], 3000), { 'if-match': etag })).status, 412, 'an old ETag');
  t.equal((await put(service, 'new.example', providerXml('new.example', ['new.example']), { 'if-match': etag })).status, 412, 'If-Match on a missing file');
});

t.test('entity-tag lists: If-Match compares strongly, If-None-Match weakly; both headers must both hold', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const body = (n: number) => providerXml('tags.example', ['tags.example'], 4000 + n);
  t.equal((await put(service, 'tags.example', body(0), { 'if-match': '*' })).status, 412, 'If-Match: * needs the file');
  t.equal((await put(service, 'tags.example', body(0), { 'if-none-match': '*' })).status, 201);
  const etag = etagOf(body(0));
  t.equal((await put(service, 'tags.example', body(1), { 'if-match': `W/${etag}` })).status, 412, 'a weak tag never matches If-Match');
  t.equal((await put(service, 'tags.example', body(1), { 'if-none-match': `"other", W/${etag}` })).status, 412, 'W/ matches the current tag in If-None-Match');
  t.equal((await put(service, 'tags.example', body(1), { 'if-match': `"x", ${etag}` })).status, 200, 'a list of tags, one of them current');
  const now = etagOf(body(1));
  t.equal((await put(service, 'tags.example', body(2), { 'if-match': `garbage, ${now}` })).status, 200, 'what is not a tag is skipped');
  const two = etagOf(body(2));
  t.equal((await put(service, 'tags.example', body(3), { 'if-match': two, 'if-none-match': '*' })).status, 412, 'If-Match holds but If-None-Match: * does not');
  t.equal((await put(service, 'tags.example', body(3), { 'if-match': two, 'if-none-match': '"other"' })).status, 200, 'both hold');
  t.equal(await readFile(join(dir, 'tags.example.xml'), 'utf8'), body(3));
});

t.test('concurrent PUTs without If-Match: the last write wins, the file is always whole', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const bodies = Array.from({ length: 12 }, (_, i) => providerXml('burst.example', ['burst.example'], 3000 + i, `    <displayName>${'padding '.repeat(200 * i)}</displayName>`));
  const answers = await Promise.all(bodies.map((body) => put(service, 'burst.example', body)));
  t.same(new Set(answers.map((a) => a.status)), new Set([200, 201]), 'every write accepted');
  t.equal(answers.filter((a) => a.status === 201).length, 1, 'exactly one created the file');
  const onDisk = await readFile(join(dir, 'burst.example.xml'), 'utf8');
  t.ok(bodies.includes(onDisk), 'the file is exactly one of the bodies, never a mix');
  t.same(parseProvider(onDisk, { file: 'burst.example.xml' }).problems, []);
  const etags = await Promise.all(answers.map((a) => a.json() as Promise<{ etag: string }>));
  t.ok(etags.some((e) => e.etag === etagOf(onDisk)), 'it is one that was acknowledged');
  const port = /<port>(\d+)<\/port>/.exec(onDisk)?.[1];
  t.match((await served(service, 'burst.example')).body, `<port>${port}</port>`, 'and it is what is served');
  t.same((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');
});

t.test('DELETE: If-Match, removal served at once, logged', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  t.equal((await served(service, 't-online.de')).status, 200);
  const stale = await fetch(`${service.url}/admin/providers/t-online.de`, { method: 'DELETE', headers: { ...auth(), 'if-match': '"stale"' } });
  t.equal(stale.status, 412);
  const gone = await fetch(`${service.url}/admin/providers/t-online.de`, { method: 'DELETE', headers: auth() });
  t.equal(gone.status, 200);
  t.match(await gone.json(), { deleted: true, changes: { removed: ['magenta.de', 't-online.de'] } });
  t.equal((await served(service, 't-online.de')).status, 404, 'no longer served');
  t.notOk((await readdir(dir)).includes('t-online.de.xml'));
  t.equal((await fetch(`${service.url}/admin/providers/t-online.de`, { method: 'DELETE', headers: auth() })).status, 404);
  t.match(service.logs.find((l) => l.action === 'deleted'), { admin: 'admin', file: 't-online.de.xml', msg: /removed magenta\.de, t-online\.de/ });
});

t.test('an update is served at once and logged with what changed', async (t) => {
  const dir = await copyProviders(t);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const text = await readFile(join(dir, 'posteo.de.xml'), 'utf8');
  const changed = text.replace('<port>993</port>', '<port>1993</port>');
  const res = await put(service, 'posteo.de', changed, { 'if-match': etagOf(text) });
  t.equal(res.status, 200);
  t.match((await served(service, 'posteo.de')).body, '<port>1993</port>');
  t.match((await served(service, 'posteo.at')).body, '<port>1993</port>');
  const log = service.logs.find((l) => l.action === 'updated');
  t.match(log, { admin: 'admin', file: 'posteo.de.xml', msg: /imap: posteo\.de:993 SSL\/TLS .* -> posteo\.de:1993 SSL\/TLS/ });
});
