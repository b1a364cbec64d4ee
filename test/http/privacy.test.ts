import t from 'tap';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { redactUrl, scrubAddresses, scrubValue } from '../../src/http/privacy.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveProviderStore, StaticProviderStore, type ProviderStore } from '../../src/providers/store.js';

// Issue 10 (HTTP part), over real sockets: no address in any log line, one access line per request with the
// request id, security headers per family, no markup echoed, no foreign Host in the V2 pointer.

async function start(env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const config = { ...loadConfig(env), host: '127.0.0.1', port: 0 };
  let store: ProviderStore;
  if (env.MAILCONFIG_ADMIN_TOKEN) {
    const dir = mkdtempSync(join(tmpdir(), 'mailconfig-privacy-'));
    cpSync(config.providersDir, dir, { recursive: true });
    const live = await LiveProviderStore.open(dir);
    t.teardown(async () => {
      await live.close();
      rmSync(dir, { recursive: true, force: true });
    });
    store = live;
  } else {
    store = new StaticProviderStore((await openProviderDatabase(config.providersDir)).index);
  }
  const app = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store) }, { logger: { level: 'info', stream } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, port, lines, app };
}

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('access log: one line per request, the address replaced by its domain, request id honoured', async (t) => {
  const s = await start({ MAILCONFIG_LOG_KEY: 'a-log-key-of-some-length' });
  t.teardown(() => s.app.close());
  const res = await fetch(`${s.url}/mail/config-v1.1.xml?emailaddress=alice%40posteo.de`, { headers: { 'x-request-id': 'lb-42' } });
  t.equal(res.status, 200);
  t.equal(res.headers.get('x-request-id'), 'lb-42');
  const bad = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': '<script>' } });
  t.match(bad.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, 'an insane id is replaced');
  await fetch(`${s.url}/autodiscover/autodiscover.json/v1.0/bob@posteo.de?Protocol=AutodiscoverV1`);
  const access = s.lines.filter((l) => l.msg === 'request');
  t.equal(access.length, 3, 'one line per request');
  t.match(access[0], { reqId: 'lb-42', method: 'GET', status: 200, path: /^\/mail\/config-v1\.1\.xml\?emailaddress=[0-9a-f]{12}@posteo\.de$/ });
  t.notMatch(JSON.stringify(s.lines), /alice|bob@/, 'no address in any log line');
});

t.test('security headers per family; no markup echoed; foreign Host refused in the V2 pointer', async (t) => {
  const s = await start();
  t.teardown(() => s.app.close());
  for (const path of ['/mail/config-v1.1.xml?emailaddress=a@posteo.de', '/api/v1/settings?email=a@posteo.de', '/', '/nope']) {
    const res = await fetch(`${s.url}${path}`);
    t.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    t.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    t.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/, path);
    t.equal(res.headers.get('strict-transport-security'), null, `${path}: no HSTS over http`);
  }
  t.equal((await fetch(`${s.url}/`)).headers.get('x-frame-options'), 'DENY');
  t.equal((await fetch(`${s.url}/api/v1/settings?email=a@posteo.de`)).headers.get('cross-origin-resource-policy'), 'cross-origin');
  const plain = await fetch(`${s.url}/v1.1/${encodeURIComponent('<script>x</script>.org')}`);
  t.equal(plain.status, 400);
  t.notMatch(await plain.text(), /<script/);
  const json = await fetch(`${s.url}/${encodeURIComponent('<script>')}`);
  t.notMatch(await json.text(), /script/);
  const evil = await get(s.port, '/autodiscover/autodiscover.json/v1.0/a@posteo.de?Protocol=AutodiscoverV1', { host: 'evil.example' });
  t.equal(evil.status, 421);
  t.notMatch(evil.body, /evil/);
  const ours = await get(s.port, '/autodiscover/autodiscover.json/v1.0/a@posteo.de?Protocol=AutodiscoverV1', { host: 'autodiscover.posteo.de' });
  t.same(JSON.parse(ours.body), { Protocol: 'AutodiscoverV1', Url: 'http://autodiscover.posteo.de/autodiscover/autodiscover.xml' });
});

t.test('admin: five failures from one address, then 429 with Retry-After before any token is compared; counted', async (t) => {
  const s = await start({ MAILCONFIG_ADMIN_TOKEN: 'the-right-admin-token-123' });
  t.teardown(() => s.app.close());
  for (let i = 0; i < 5; i++) t.equal((await fetch(`${s.url}/admin/providers`, { headers: { authorization: 'Bearer wrong-token-guess-000' } })).status, 403);
  const blocked = await fetch(`${s.url}/admin/providers`, { headers: { authorization: 'Bearer the-right-admin-token-123' } });
  t.equal(blocked.status, 429);
  t.match(blocked.headers.get('retry-after'), /^\d+$/);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  t.match(metrics, /mailconfig_admin_auth_failures_total 5/);
  t.match(metrics, /mailconfig_rate_limited_total\{limit="admin-auth"\} 1/);
  t.notMatch(JSON.stringify(s.lines), /wrong-token-guess|the-right-admin-token/, 'no token in the log');
});

t.test('redactUrl: addresses in path segments and query values become their domain; the rest stays as sent', async (t) => {
  t.equal(redactUrl('/mail/config-v1.1.xml?emailaddress=alice%40posteo.de&x=1'), '/mail/config-v1.1.xml?emailaddress=@posteo.de&x=1');
  t.equal(redactUrl('/autodiscover/autodiscover.json/v1.0/Bob@Posteo.DE?Protocol=AutodiscoverV1'), '/autodiscover/autodiscover.json/v1.0/@posteo.de?Protocol=AutodiscoverV1');
  t.equal(redactUrl('/setup?email=carol%2540example.org'), '/setup?email=carol%2540example.org', 'a doubly encoded @ is not an address once decoded');
  t.equal(redactUrl('/x?email=dave%40EXAMPLE.org'), '/x?email=@example.org');
  t.equal(redactUrl('/x?email=eve%4Oexample.org'), '/x?email=eve%4Oexample.org', 'a broken escape with no @ stays');
  t.match(redactUrl('/x?email=frank%40example.org', 'a-log-key-of-some-length'), /^\/x\?email=[0-9a-f]{12}@example\.org$/);
  const plain = '/mail/config-v1.1.xml?domain=posteo.de';
  t.equal(redactUrl(plain), plain, 'no address: unchanged');
  t.equal(redactUrl(`/${'a'.repeat(3000)}`).length, 2001, 'bounded to 2,000 characters and an ellipsis');
});

t.test('scrubValue: copies only what changes, keeps field order, error classes and untouched originals', async (t) => {
  const clean = { method: 'GET', path: '/x?email=@posteo.de', status: 200, nested: { a: [1, 'two'] } };
  t.equal(scrubValue(clean), clean, 'nothing to scrub: the same object');
  const dirty = { before: 1, text: 'mail from alice@posteo.de', after: 'x', list: ['ok', 'bob%40example.org'] };
  const scrubbed = scrubValue(dirty) as typeof dirty;
  t.not(scrubbed, dirty);
  t.same(Object.keys(scrubbed), ['before', 'text', 'after', 'list'], 'field order kept');
  t.same(scrubbed, { before: 1, text: 'mail from @posteo.de', after: 'x', list: ['ok', '@example.org'] });
  t.equal(dirty.text, 'mail from alice@posteo.de', 'the original is not changed');
  const error = new TypeError('no settings for carol@example.org');
  const copy = scrubValue(error) as TypeError;
  t.ok(copy instanceof TypeError, 'the error keeps its class');
  t.equal(copy.message, 'no settings for @example.org');
  t.notMatch(String(copy.stack), /carol/);
  const harmless = new Error('nothing personal');
  t.equal(scrubValue(harmless), harmless, 'an error without an address is passed as it is');
  t.equal(scrubAddresses('see ?email=dave@example.org'), 'see ?email=@example.org', 'the parameter name stays');
});
