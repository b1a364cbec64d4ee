import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { routeFamily } from '../../src/http/errors.js';
import { buildServer } from '../../src/http/server.js';
import { openProviderDatabase, ProviderIndex, type ProviderEntry } from '../../src/providers/database.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import type { MailConfig } from '../../src/settings/model.js';
import type { SettingsResolver } from '../../src/settings/resolver.js';
import { poxRequest } from '../helpers/autodiscover.js';

// Unexpected errors (bugs) in every route family, forced over real sockets: the answer is in the family's own
// format, says nothing of the exception, and the stack is in the log.

const BUG = 'provider index exploded';

/** A database whose lookup throws for broken.example, as a bug in the store would. */
class BrokenIndex extends ProviderIndex {
  override byDomain(domain: string): ProviderEntry | undefined {
    if (domain === 'broken.example') throw new TypeError(BUG);
    return super.byDomain(domain);
  }
}

interface Started {
  url: string;
  lines: Record<string, unknown>[];
  app: FastifyInstance;
}

async function start(t: Test, options: { config?: (config: AppConfig) => AppConfig; resolver?: (inner: SettingsResolver) => SettingsResolver } = {}): Promise<Started> {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const base = { ...loadConfig({}), host: '127.0.0.1', port: 0 };
  const config = options.config ? options.config(base) : base;
  const { index } = await openProviderDatabase(config.providersDir);
  const store = new StaticProviderStore(new BrokenIndex(index.entries()));
  const inner = new DatabaseResolver(store);
  const resolver = options.resolver ? options.resolver(inner) : inner;
  const app = await buildServer({ config, providers: store, resolver }, { logger: { level: 'info', stream } });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return { url: `http://127.0.0.1:${address.port}`, lines, app };
}

function loggedBug(t: Test, lines: Record<string, unknown>[], label: string, message = BUG): void {
  const errors = lines.filter((line) => line.level === 50);
  t.equal(errors.length, 1, `${label}: one error line`);
  const err = errors[0]?.err as { stack?: string; message?: string } | undefined;
  t.equal(err?.message, message, `${label}: the exception is logged`);
  t.match(err?.stack ?? '', /\n\s+at \S/, `${label}: with its stack`);
  t.notMatch(JSON.stringify(errors[0]), /alice/, `${label}: no address in the error log`);
}

function noLeak(t: Test, body: string, label: string): void {
  t.notMatch(body, /exploded|TypeError|\n\s+at |\.ts:\d+|\.js:\d+/, `${label}: nothing of the exception reaches the client`);
}

t.test('a bug behind each client route answers in that route family\'s format, with the stack in the log', async (t) => {
  const server = await start(t);
  const cases: ReadonlyArray<{ label: string; path: string; init?: RequestInit; status: number; type: RegExp; body: RegExp }> = [
    { label: 'Thunderbird autoconfig', path: '/mail/config-v1.1.xml?emailaddress=alice@broken.example', status: 500, type: /^text\/plain; charset=utf-8$/, body: /^Internal error: the server could not answer this request\n$/ },
    { label: 'Thunderbird well-known', path: '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@broken.example', status: 500, type: /^text\/plain; charset=utf-8$/, body: /^Internal error: / },
    { label: 'ISPDB mirror', path: '/v1.1/broken.example', status: 500, type: /^text\/plain; charset=utf-8$/, body: /^Internal error: / },
    { label: 'Apple profile', path: '/mobileconfig?emailaddress=alice@broken.example', status: 500, type: /^text\/plain; charset=utf-8$/, body: /^Internal error: / },
    { label: 'Apple profile (email.mobileconfig)', path: '/email.mobileconfig?email=alice@broken.example', status: 500, type: /^text\/plain; charset=utf-8$/, body: /^Internal error: / },
    {
      label: 'Autodiscover POX',
      path: '/autodiscover/autodiscover.xml',
      init: { method: 'POST', body: poxRequest('alice@broken.example'), headers: { 'content-type': 'text/xml' } },
      status: 200,
      type: /^text\/xml; charset=utf-8$/,
      body: /<Autodiscover xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/responseschema\/2006">[\s\S]*<ErrorCode>603<\/ErrorCode>/,
    },
    { label: 'JSON API', path: '/api/v1/settings?email=alice@broken.example', status: 500, type: /^application\/json; charset=utf-8$/, body: /^\{"error":"internal_error","message":"the server could not answer this request"\}$/ },
  ];
  for (const c of cases) {
    server.lines.length = 0;
    const res = await fetch(`${server.url}${c.path}`, c.init);
    const body = await res.text();
    t.equal(res.status, c.status, `${c.label}: status`);
    t.match(res.headers.get('content-type') ?? '', c.type, `${c.label}: content type`);
    t.match(body, c.body, `${c.label}: body in its own format`);
    noLeak(t, body, c.label);
    loggedBug(t, server.lines, c.label);
  }
  // The same routes still answer normally for other domains.
  const fine = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=alice@posteo.de`);
  t.equal(fine.status, 200);
});

t.test('a bug while rendering a page answers an HTML page in the visitor\'s language', async (t) => {
  // A resolver whose answer breaks the page renderer (no server list): the bug is in the page, not in the lookup.
  const server = await start(t, {
    resolver: (inner) => ({
      resolve: async (domain, address) =>
        domain === 'garbage.example' ? { config: { id: 'garbage.example', domains: ['garbage.example'] } as unknown as MailConfig, steps: [] } : inner.resolve(domain, address),
    }),
  });
  for (const [path, lang, title] of [
    ['/setup?email=alice@garbage.example', 'de', /<title>[^<]*Etwas ist schiefgelaufen/],
    ['/setup/garbage.example', 'en', /<title>[^<]*Something went wrong/],
  ] as const) {
    server.lines.length = 0;
    const res = await fetch(`${server.url}${path}`, { headers: { 'accept-language': lang } });
    const body = await res.text();
    t.equal(res.status, 500, `${path}: 500`);
    t.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', `${path}: HTML`);
    t.match(body, /^<!doctype html>/i, `${path}: a whole page`);
    t.match(body, title, `${path}: says so in ${lang}`);
    t.match(body, /<form class="lookup" action="\/setup"/, `${path}: with the form to try again`);
    t.ok(res.headers.get('content-security-policy'), `${path}: with the pages' CSP`);
    noLeak(t, body, path);
    t.notMatch(body, /alice@garbage/, `${path}: the address is not echoed on the error page`);
    const errors = server.lines.filter((line) => line.level === 50);
    t.equal(errors.length, 1, `${path}: one error line`);
    t.match((errors[0]?.err as { stack?: string } | undefined)?.stack ?? '', /TypeError[\s\S]*\n\s+at \S/, `${path}: the stack is logged`);
  }
  // A failed lookup is still the "try again" page (503), not the bug page.
  const unavailable = await fetch(`${server.url}/setup/broken.example`);
  t.equal(unavailable.status, 503);
  t.equal(unavailable.headers.get('content-type'), 'text/html; charset=utf-8');
});

t.test('a bug behind the Autodiscover V2 route answers its JSON error shape', async (t) => {
  // V2 looks nothing up; what it reads is the public base URL: make reading it fail.
  const server = await start(t, {
    config: (config) =>
      Object.defineProperty({ ...config }, 'publicUrl', {
        get() {
          throw new TypeError(BUG);
        },
      }),
  });
  const res = await fetch(`${server.url}/autodiscover/autodiscover.json?Email=alice%40posteo.de&Protocol=AutodiscoverV1`);
  const body = await res.text();
  t.equal(res.status, 500);
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  t.same(JSON.parse(body), { ErrorCode: 'InvalidUser', ErrorMessage: 'the server could not answer this request' });
  noLeak(t, body, 'V2');
  loggedBug(t, server.lines, 'V2');
});

t.test('unknown paths answer a 404 in the family\'s format: pages get an HTML page', async (t) => {
  const server = await start(t);
  const cases: ReadonlyArray<[string, Record<string, string>, RegExp, RegExp]> = [
    ['/setup/gmail.com/more', { 'accept-language': 'de' }, /^text\/html; charset=utf-8$/, /<title>[^<]*Seite nicht gefunden/],
    ['/help/nothing-here', { 'accept-language': 'en' }, /^text\/html; charset=utf-8$/, /<title>[^<]*Page not found/],
    ['/no-such-thing', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, /^text\/html; charset=utf-8$/, /Page not found/],
    ['/no-such-thing', {}, /^application\/json; charset=utf-8$/, /^\{"error":"not_found","message":"no such page \(GET of this path is not served; the path is not repeated here\)"\}$/],
    ['/api/v1/nothing', { accept: 'text/html' }, /^application\/json; charset=utf-8$/, /"error":"not_found"/],
    ['/mail/config-v1.1.xml/extra', {}, /^text\/plain; charset=utf-8$/, /^Not found: no such page/],
    ['/autodiscover/nothing.xml', {}, /^text\/xml; charset=utf-8$/, /<ErrorCode>600<\/ErrorCode>/],
    ['/assets/nothing/here', {}, /^text\/plain; charset=utf-8$/, /^Not found/],
  ];
  for (const [path, headers, type, body] of cases) {
    const res = await fetch(`${server.url}${path}`, { headers });
    t.equal(res.status, 404, `${path}: 404`);
    t.match(res.headers.get('content-type') ?? '', type, `${path} (${JSON.stringify(headers)}): content type`);
    t.match(await res.text(), body, `${path}: body`);
  }
});

t.test('the rate limit answers in each family\'s format', async (t) => {
  const server = await start(t, { config: (config) => ({ ...config, rateLimitPerMinute: 1 }) });
  await (await fetch(`${server.url}/api/v1/settings?email=alice@posteo.de`)).text();
  const text = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=alice@posteo.de`);
  t.equal(text.status, 429);
  t.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.match(await text.text(), /^Too many requests: rate limit of 1 requests per minute exceeded/);
  t.ok(text.headers.get('retry-after'), 'Retry-After is kept');
  const page = await fetch(`${server.url}/setup?email=alice@posteo.de`, { headers: { 'accept-language': 'de' } });
  t.equal(page.status, 429);
  t.match(await page.text(), /<title>[^<]*Zu viele Anfragen/);
});

t.test('route families follow the registered paths, in any case', async (t) => {
  const expected: Record<string, string> = {
    '/mail/config-v1.1.xml?emailaddress=a@b.de': 'thunderbird',
    '/.well-known/autoconfig/mail/config-v1.1.xml': 'thunderbird',
    '/V1.1/gmail.com': 'thunderbird',
    '/mobileconfig': 'apple',
    '/Email.mobileconfig?email=a@b.de': 'apple',
    '/Autodiscover/Autodiscover.xml': 'autodiscover',
    '/autodiscover/autodiscover.json/v1.0/a@b.de': 'autodiscover-v2',
    '/api/v1/settings': 'api',
    '/admin/providers/x': 'json',
    '/healthz': 'json',
    '/': 'pages',
    '/setup?email=x': 'pages',
    '/setup/gmail.com': 'pages',
    '/help/imap-pop3': 'pages',
    '/assets/app.js': 'text',
    '/metrics': 'text',
    '/anything-else': 'other',
  };
  for (const [path, family] of Object.entries(expected)) t.equal(routeFamily(path), family, path);
});
