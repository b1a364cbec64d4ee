// PACC over HTTP: the Host selects the domain, the bytes are the digest's bytes, ETag/304 and caching, JSON errors
// that never echo what was sent.
import t from 'tap';
import { createHash } from 'node:crypto';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { PROJECT_ROOT } from '../../src/config.js';
import { copyProviders } from '../helpers/providers.js';
import { startTestServer } from '../helpers/server.js';

const dir = await copyProviders(t);
await copyFile(join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml'), join(dir, 'modern.example.xml'));
// Only STARTTLS: nothing PACC can say.
await writeFile(
  join(dir, 'starttls.example.xml'),
  `<clientConfig version="1.1"><emailProvider id="starttls.example"><domain>starttls.example</domain>
  <incomingServer type="imap"><hostname>imap.starttls.example</hostname><port>143</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.starttls.example</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider></clientConfig>`,
);
const server = await startTestServer({ env: { MAILCONFIG_PROVIDERS: dir } });
t.teardown(() => server.close());

const PATH = '/.well-known/user-agent-configuration.json';
async function get(host: string, path = PATH, headers: Record<string, string> = {}) {
  const res = await request(`${server.url}${path}`, { headers: { host, ...headers } });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

t.test('Host ua-auto-config.<D> selects D; the body is what the digest covers', async (t) => {
  const res = await get('ua-auto-config.modern.example');
  t.equal(res.status, 200);
  t.equal(res.headers['content-type'], 'application/json');
  const digest = createHash('sha256').update(Buffer.from(res.body, 'utf8')).digest('base64');
  t.equal(res.headers.etag, `"${digest}"`, 'ETag is the digest of the bytes');
  t.match(res.headers['cache-control'], /public, max-age=\d+/);
  t.equal(res.headers['access-control-allow-origin'], '*');
  const doc = JSON.parse(res.body) as { protocols: Record<string, unknown> };
  t.same(doc.protocols.imap, { host: 'imap.modern.example' });
  t.equal((await get('ua-auto-config.modern.example:443')).body, res.body, 'a port in the Host changes nothing');
  t.equal((await get('UA-Auto-Config.Modern.Example')).body, res.body, 'any case');
  t.equal((await get('127.0.0.1', `${PATH}?domain=modern.example`)).body, res.body, '?domain= for tests and proxies gives the same bytes');
  t.equal((await get('ua-auto-config.modern-kunde.example')).body, res.body, 'every domain of the provider');
  const head = await request(`${server.url}${PATH}`, { method: 'HEAD', headers: { host: 'ua-auto-config.modern.example' } });
  await head.body.dump();
  t.equal(head.statusCode, 200);
  t.equal(head.headers.etag, res.headers.etag);
});

t.test('If-None-Match with the ETag answers 304 without a body', async (t) => {
  const first = await get('ua-auto-config.modern.example');
  const etag = String(first.headers.etag);
  for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const res = await get('ua-auto-config.modern.example', PATH, { 'if-none-match': value });
    t.equal(res.status, 304, value);
    t.equal(res.body, '');
    t.equal(res.headers.etag, etag);
  }
  t.equal((await get('ua-auto-config.modern.example', PATH, { 'if-none-match': '"stale"' })).status, 200);
});

t.test('explain=1 says what was left out and which TXT to publish', async (t) => {
  const res = await get('ua-auto-config.modern.example', `${PATH}?explain=1`);
  t.equal(res.status, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = JSON.parse(res.body) as { digest: string; txt: { name: string; value: string }; notes: string[] };
  const plain = await get('ua-auto-config.modern.example');
  t.equal(body.digest, String(plain.headers.etag).slice(1, -1));
  t.same(body.txt, { name: '_ua-auto-config.modern.example', value: `v=UAAC1; a=sha256; d=${body.digest}` });
  t.match(body.notes, [/POP3 left out: offered only with STARTTLS/]);
});

t.test('errors are JSON with a reason, and never echo the input', async (t) => {
  const marker = 'evil-<script>-marker';
  const wrongHost = await get(`${marker}.example`);
  t.equal(wrongHost.status, 400);
  t.match(JSON.parse(wrongHost.body), { error: 'bad_host', message: /ua-auto-config\.<your domain>/ });
  t.notMatch(wrongHost.body, /evil|script/);
  const badDomain = await get('127.0.0.1', `${PATH}?domain=${encodeURIComponent(`<${marker}>`)}`);
  t.equal(badDomain.status, 400);
  t.match(JSON.parse(badDomain.body), { error: 'invalid_domain' });
  t.notMatch(badDomain.body, /<evil|<script/);
  const unknown = await get('ua-auto-config.nobody-here.example');
  t.equal(unknown.status, 404);
  t.match(JSON.parse(unknown.body), { error: 'unknown_domain', message: 'no mail settings known for nobody-here.example' });
  const starttls = await get('ua-auto-config.starttls.example');
  t.equal(starttls.status, 404);
  t.match(JSON.parse(starttls.body), { error: 'not_expressible', notes: [/IMAP left out: offered only with STARTTLS/, /SMTP left out/] });
  t.match(starttls.headers['content-type'], /^application\/json/);
});
