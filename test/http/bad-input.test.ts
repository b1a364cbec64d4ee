// Bad input at every public endpoint, over real HTTP (a raw socket, so nothing is cleaned up on the way): never a 5xx,
// the answer in the endpoint's own format, no stack trace or file path, quickly, and every reflected value escaped.
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { startTestServer } from '../helpers/server.js';

// Hundreds of requests from one client: the rate limit is tested on its own server below.
const server = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '0' } });
t.teardown(() => server.close());
const port = Number(new URL(server.url).port);

const POX = '/autodiscover/autodiscover.xml';
const V2 = '/autodiscover/autodiscover.json';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
/** A reply slower than this counts as a hang. */
const PROMPT_MS = 3000;

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** One request as bytes on a fresh connection; the reply read to the end (Connection: close). */
function raw(request: Buffer | string, port_ = port): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port_, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete reply within ${PROMPT_MS * 2} ms`));
    }, PROMPT_MS * 2);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      let body = split < 0 ? '' : text.slice(split + 4);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, ms: Date.now() - started });
    });
    socket.end(request);
  });
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | undefined;
}

function request(target: string, options: RequestOptions = {}): Promise<RawReply> {
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
  const headers: Record<string, string> = { host: 'localhost', connection: 'close', ...options.headers };
  if (body) headers['content-length'] = String(body.length);
  const head = `${options.method ?? 'GET'} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return raw(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
}

type Format = 'thunderbird' | 'pox' | 'v2' | 'apple' | 'json' | 'html' | 'text';

/** Stack frames, source paths, fastify's internal codes: none of it is for clients. */
const LEAKS = [/\n\s+at \S/, /\/work\//, /node_modules/, /\.(ts|js):\d+/, /FST_ERR/, /\b(TypeError|RangeError|SyntaxError|ReferenceError)\b/];
/** Markup from the inputs below that must never come back unescaped in a page. */
const MARKUP = [/<script>/i, /<img /i, /"onmouseover=/i, /<\/title><script/i];

/** The checks every reply passes, whatever was sent. */
function sane(t: Test, reply: RawReply, format: Format, label: string, method = 'GET'): void {
  const type = reply.headers['content-type'] ?? '';
  t.ok(reply.status >= 200 && reply.status < 500, `${label}: status ${reply.status} is not a 5xx`);
  t.ok(reply.ms < PROMPT_MS, `${label}: answered in ${reply.ms} ms`);
  for (const leak of LEAKS) t.notMatch(reply.body, leak, `${label}: nothing like ${leak} in the body`);
  if (method === 'HEAD') {
    t.equal(reply.body, '', `${label}: HEAD has no body`);
  }
  if (reply.status === 304 || reply.status === 204) return;
  // Unknown paths and methods a route does not serve: a 404 in the route family's format (src/http/errors.ts). JSON
  // for the API, the admin API and paths of no family; the V2 error shape under autodiscover.json; else the switch below.
  if (reply.status === 404 && /^application\/json/.test(type) && (method !== 'GET' || format !== 'json')) {
    const expected = format === 'v2' ? { ErrorCode: 'InvalidUser', ErrorMessage: /^no such page/ } : { error: 'not_found', message: /^no such page/ };
    if (method !== 'HEAD') t.match(JSON.parse(reply.body), expected, `${label}: JSON 404`);
    return;
  }
  const ok = reply.status < 300;
  switch (format) {
    case 'pox':
      t.equal(type, 'text/xml; charset=utf-8', `${label}: Autodiscover XML`);
      if (method !== 'HEAD') t.match(reply.body, /^<\?xml[^>]*\?>\s*<Autodiscover xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/responseschema\/2006">/, `${label}: an Autodiscover document`);
      if (!ok && method !== 'HEAD') t.match(reply.body, /<ErrorCode>60\d<\/ErrorCode>/, `${label}: an Autodiscover error`);
      break;
    case 'thunderbird':
      t.equal(type, ok ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8', `${label}: XML or a text error`);
      break;
    case 'apple':
      t.match(type, ok ? /^application\/x-apple-aspen-config/ : /^text\/plain; charset=utf-8$/, `${label}: profile or a text error`);
      break;
    case 'v2':
    case 'json':
      t.match(type, /^application\/json/, `${label}: JSON`);
      if (method !== 'HEAD') {
        const parsed = JSON.parse(reply.body) as Record<string, unknown>;
        if (!ok) t.ok(format === 'v2' ? typeof parsed.ErrorCode === 'string' && typeof parsed.ErrorMessage === 'string' : typeof parsed.error === 'string', `${label}: JSON error with a reason`);
      }
      break;
    case 'html':
      t.equal(type, 'text/html; charset=utf-8', `${label}: HTML`);
      if (method !== 'HEAD') {
        t.match(reply.body, /^<!doctype html>/, `${label}: a page`);
        for (const markup of MARKUP) t.notMatch(reply.body, markup, `${label}: input markup escaped (${markup})`);
      }
      break;
    case 'text':
      t.match(type, /^text\/(plain|css|javascript)|^application\/javascript|^image\//, `${label}: text`);
      break;
  }
}

/** Endpoints that take the address as a query parameter. */
const QUERY_ENDPOINTS: ReadonlyArray<{ path: string; param: string; format: Format }> = [
  { path: '/mail/config-v1.1.xml', param: 'emailaddress', format: 'thunderbird' },
  { path: '/.well-known/autoconfig/mail/config-v1.1.xml', param: 'emailaddress', format: 'thunderbird' },
  { path: POX, param: 'email', format: 'pox' },
  { path: `${V2}?Protocol=AutodiscoverV1`, param: 'Email', format: 'v2' },
  { path: '/mobileconfig', param: 'emailaddress', format: 'apple' },
  { path: '/email.mobileconfig', param: 'email', format: 'apple' },
  { path: '/api/v1/settings', param: 'email', format: 'json' },
  { path: '/setup', param: 'email', format: 'html' },
];

function withQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

const LONG = 'a'.repeat(10 * 1024);
/** Query values (already percent-encoded as sent) that are not usable addresses: each must get a 400. */
const NOT_ADDRESSES: Record<string, string> = {
  'two different addresses': '{p}=alice@gmail.com&{p}=bob@gmail.com',
  'two addresses under two names': '{p}=alice@gmail.com&emailaddress=bob@example.org&email=carol@example.net',
  'invalid percent-encoding': '{p}=%zz@gmail.com',
  'percent-encoding cut short': '{p}=alice%2@gmail.com',
  'lone surrogate': '{p}=%ED%A0%80@gmail.com',
  'NUL in the local part': '{p}=ali%00ce@gmail.com',
  'NUL at the end': '{p}=alice@gmail.com%00',
  'CR LF': '{p}=alice%0D%0A@gmail.com',
  'tab in the domain': '{p}=alice@gm%09ail.com',
  'DEL': '{p}=alice%7F@gmail.com',
  '<script> in the local part': '{p}=%3Cscript%3Ealert(1)%3C%2Fscript%3E@gmail.com',
  '<script> as the domain': '{p}=alice@%3Cscript%3E.com',
  'closing title and script': '{p}=%3C%2Ftitle%3E%3Cscript%3Ex@gmail.com',
  'img tag': '{p}=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E@gmail.com',
  'double quote': '{p}=x%22onmouseover%3D%22alert(1)@gmail.com',
  'single quote in the domain': "{p}=alice@gm'ail.com",
  '<x>@': '{p}=%3Cx%3E@',
  'no @': '{p}=alice',
  'only @': '{p}=@',
  'two @': '{p}=%40%40',
  'spaces': '{p}=alice%20smith@gmail.com',
  '10 KB': `{p}=${LONG}`,
  '10 KB before the @': `{p}=${LONG}@gmail.com`,
  'over 254 characters': `{p}=${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  'label over 63': `{p}=alice@${'a'.repeat(64)}.com`,
  'domain without a dot': '{p}=alice@localhost',
  'IP address': '{p}=alice@127.0.0.1',
  'address literal': '{p}=alice@%5B127.0.0.1%5D',
  'invalid punycode': '{p}=alice@xn--zz.com',
  'right-to-left override': '{p}=alice@%E2%80%AEgmail.com',
  'noncharacter': '{p}=alice@gmail.com%EF%BF%BF',
  'only dots': '{p}=alice@..',
  'leading dot in the local part': '{p}=.alice@gmail.com',
};
/** Values that are addresses after all: never a 400. */
const ADDRESSES: Record<string, { query: string; domain: string }> = {
  'upper case with a trailing dot': { query: '{p}=ALICE@GMAIL.COM.', domain: 'gmail.com' },
  'the same address twice': { query: '{p}=alice@gmail.com&{p}=alice@gmail.com', domain: 'gmail.com' },
  'an empty duplicate': { query: '{p}=&{p}=alice@gmail.com', domain: 'gmail.com' },
  'IDN domain': { query: '{p}=alice@b%C3%BCcher.de', domain: 'xn--bcher-kva.de' },
  'IDN domain in punycode': { query: '{p}=alice@xn--bcher-kva.de', domain: 'xn--bcher-kva.de' },
  'mixed-script domain': { query: '{p}=alice@p%D0%B0ypal.com', domain: 'xn--pypal-4ve.com' },
  'emoji local part': { query: '{p}=%F0%9F%93%AE@gmail.com', domain: 'gmail.com' },
  'plus encoded space trimmed': { query: '{p}=+alice@gmail.com+', domain: 'gmail.com' },
};
/** No address at all: a 400 that asks for one (the Thunderbird URLs fall back to the Host, which is not a domain here). */
const MISSING: Record<string, string> = {
  'empty value': '{p}=',
  'name without value': '{p}',
  'array syntax': '{p}[]=alice@gmail.com',
  'nested object syntax': '{p}[a]=alice@gmail.com',
  'only spaces': '{p}=%20%20',
};

t.test('query endpoints: what is not one address gets a 400 in the endpoint\'s format', async (t) => {
  for (const endpoint of QUERY_ENDPOINTS) {
    for (const [name, query] of Object.entries(NOT_ADDRESSES)) {
      const target = withQuery(endpoint.path, query.replaceAll('{p}', endpoint.param));
      const reply = await request(target);
      const label = `${endpoint.path} ${name}`;
      sane(t, reply, endpoint.format, label);
      t.equal(reply.status, 400, `${label}: 400`);
    }
    for (const [name, query] of Object.entries(MISSING)) {
      const reply = await request(withQuery(endpoint.path, query.replaceAll('{p}', endpoint.param)));
      sane(t, reply, endpoint.format, `${endpoint.path} ${name}`);
      t.equal(reply.status, 400, `${endpoint.path} ${name}: 400`);
    }
  }
});

t.test('query endpoints: unusual but valid addresses are answered, never refused', async (t) => {
  for (const endpoint of QUERY_ENDPOINTS) {
    for (const [name, { query }] of Object.entries(ADDRESSES)) {
      const reply = await request(withQuery(endpoint.path, query.replaceAll('{p}', endpoint.param)));
      const label = `${endpoint.path} ${name}`;
      sane(t, reply, endpoint.format, label);
      t.not(reply.status, 400, `${label}: accepted`);
    }
  }
});

t.test('the API normalizes what it accepts and shows the Unicode domain', async (t) => {
  for (const [name, { query, domain }] of Object.entries(ADDRESSES)) {
    const reply = await request(withQuery('/api/v1/settings', query.replaceAll('{p}', 'email')));
    const body = JSON.parse(reply.body) as { address?: { domain: string }; error?: string; message?: string };
    if (reply.status === 200) t.equal(body.address?.domain, domain, `${name}: looked up as ${domain}`);
    else t.equal(body.error, 'unknown_domain', `${name}: an unknown domain, not a bad address`);
  }
  const idn = JSON.parse((await request('/api/v1/settings?email=alice@b%C3%BCcher.de')).body) as { message: string };
  t.match(idn.message, 'bücher.de', 'people read the Unicode form');
});

t.test('the reasons say what is wrong', async (t) => {
  const twice = JSON.parse((await request('/api/v1/settings?email=alice@gmail.com&email=bob@gmail.com')).body) as { message: string };
  t.match(twice.message, /more than one/);
  const encoding = JSON.parse((await request('/api/v1/settings?email=%zz@gmail.com')).body) as { message: string };
  t.match(encoding.message, /percent-encoded/);
  const pox = await request(`${POX}?email=%ED%A0%80@gmail.com`);
  t.match(pox.body, /<ErrorCode>600<\/ErrorCode>[\s\S]*percent-encoded/);
  const v2 = JSON.parse((await request(`${V2}?Protocol=AutodiscoverV1&Email=a@gmail.com&Email=b@gmail.com`)).body) as { ErrorCode: string };
  t.equal(v2.ErrorCode, 'InvalidUser');
});

t.test('?lang= and Accept-Language garbage: the page in English', async (t) => {
  const langs = ['%zz', 'x'.repeat(10 * 1024), '%3Cscript%3E', 'de&lang=en&lang=fr', 'DE%00', '%ED%A0%80', ''];
  const accepts = ['de;q=abc, en;q=NaN', ';;;,,,', `${'de;q=0.5,'.repeat(800)}en`, '*', 'de;q=-1', 'de;q=1e400', 'x'.repeat(8000), 'de-\u00e4\u00f6;q=1', 'en;q=0, de;q=0'];
  for (const path of ['/', '/help/imap-pop3', '/setup?email=alice@gmail.com', '/setup/gmail.com', '/setup?email=%3Cscript%3E@x']) {
    for (const lang of langs) {
      const reply = await request(withQuery(path, `lang=${lang}`));
      sane(t, reply, 'html', `${path} lang=${lang.slice(0, 20)}`);
      t.match(reply.body, /<html lang="(en|de)">/);
    }
    for (const accept of accepts) {
      const reply = await request(path, { headers: { 'accept-language': accept.replace(/[\r\n]/g, '') } });
      sane(t, reply, 'html', `${path} Accept-Language ${accept.slice(0, 20)}`);
    }
  }
});

t.test('headers Node refuses before fastify (over 16 KiB, control characters): a 4xx, at once', async (t) => {
  // Node's parser answers 431 (Request Header Fields Too Large) or 400 itself.
  for (const [name, value, status] of [['20 KiB', 'de,'.repeat(7000), 431], ['a control character', '\u0001de', 400], ['a NUL', 'de\u0000', 400]] as const) {
    const reply = await request('/setup/gmail.com', { headers: { 'accept-language': value } });
    t.equal(reply.status, status, `Accept-Language with ${name}: ${status}`);
    t.ok(reply.ms < PROMPT_MS, `Accept-Language with ${name}: answered in ${reply.ms} ms`);
    for (const leak of LEAKS) t.notMatch(reply.body, leak, `Accept-Language with ${name}: no ${leak}`);
  }
  t.equal((await request('/healthz')).status, 200, 'the server is still there');
});

t.test('path parameters: bad domains, dots, encodings and lengths', async (t) => {
  // What each should get at /v1.1/<domain> and /setup/<domain>: refused (400, 414 when over the URL length limit),
  // looked up and not in the database (404), or found once normalized (200).
  const expected: [string, number][] = [
    ['%zz', 400], ['%ED%A0%80.com', 400], ['%00', 400], ['gmail.com%00', 400], ['..', 400], ['%2e%2e', 400], ['..%2f..%2fetc%2fpasswd', 400],
    ['a%2fb.com', 400], ['%3Cscript%3E.com', 400], ['%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', 400], ['x%22onmouseover%3D%22alert(1)', 400],
    // A trailing dot, upper case and a pasted trailing space are normalized away; IDNs are looked up as A-labels.
    ['GMAIL.COM.', 200], ['gmail.com.', 200], ['gmail.com%20', 200], ['b%C3%BCcher.de', 404], ['p%D0%B0ypal.com', 404],
    ['a'.repeat(600), 414], [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 400],
    // Not a mail domain of the public internet, not a valid A-label, an address where a domain belongs.
    ['localhost', 400], ['127.0.0.1', 400], ['%5B::1%5D', 400], ['xn--zz.com', 400], ['alice@gmail.com', 400],
  ];
  for (const [domain, status] of expected) {
    for (const [path, format] of [[`/v1.1/${domain}`, 'thunderbird'], [`/setup/${domain}`, 'html']] as const) {
      const reply = await request(path);
      // `/setup/<address>` is the address form of the page: a redirect to `/setup?email=`, never a guess at a domain.
      if (format === 'html' && domain.includes('@')) {
        t.equal(reply.status, 302, `${path}: redirect`);
        continue;
      }
      sane(t, reply, format, path.slice(0, 80));
      t.equal(reply.status, status, `${path.slice(0, 80)}: ${status}`);
    }
    const v2 = await request(`${V2}/v1.0/${domain}?Protocol=AutodiscoverV1`);
    sane(t, v2, 'v2', `V2 path ${domain.slice(0, 60)}`);
    // The V2 pointer wants an address: anything else is refused (414 over the URL length limit); the address is served.
    const v2Status = domain === 'alice@gmail.com' ? 200 : status === 414 ? 414 : 400;
    t.equal(v2.status, v2Status, `V2 path ${domain.slice(0, 60)}: ${v2Status}`);
  }
  // Undecodable and overlong path parameters are refused by the router itself: still the endpoint's format.
  t.equal((await request('/setup/%zz')).headers['content-type'], 'text/html; charset=utf-8', 'setup: HTML even for a path the router refuses');
  t.equal((await request('/v1.1/%zz')).headers['content-type'], 'text/plain; charset=utf-8', 'ISPDB mirror: text');
  const v2 = await request(`${V2}/v1.0/${'a'.repeat(700)}@gmail.com?Protocol=AutodiscoverV1`);
  t.match(JSON.parse(v2.body), { ErrorCode: 'InvalidUser' }, 'V2: its own error shape for an overlong address');
  const setupBody = (await request('/setup/%3Cscript%3E.com')).body;
  t.notMatch(setupBody, /<script>/, 'the domain typed into the path is escaped');
});

t.test('odd paths: dot segments, double slashes, very long paths, the assets', async (t) => {
  const paths: ReadonlyArray<[string, Format]> = [
    ['/../../etc/passwd', 'json'], ['/setup/../../etc/passwd', 'html'], ['//setup?email=alice@gmail.com', 'html'], ['//evil.example/setup', 'html'], ['///', 'html'],
    ['/api//v1/settings?email=alice@gmail.com', 'json'], ['/api/v1/settings/../openapi.json', 'json'], [`/${'a/'.repeat(4000)}`, 'json'],
    [`/setup?email=${'a'.repeat(40)}@gmail.com&${'x=1&'.repeat(2000)}`, 'html'], ['/assets/..%2f..%2fpackage.json', 'text'], ['/assets/%zz', 'text'],
    ['/assets/../package.json', 'text'], [`/assets/${'a'.repeat(600)}`, 'text'], ['/%zz', 'json'], ['/%00', 'json'],
    ['/Mail/Config-V1.1.XML?EmailAddress=alice@gmail.com', 'thunderbird'], ['/API/V1/SETTINGS?EMAIL=alice@gmail.com', 'json'], ['/metrics/', 'text'],
    ['/healthz?x=%zz', 'json'], ['*', 'html'], ['http://evil.example/', 'html'], ['/setup;jsessionid=1', 'html'], ['/setup%3Femail=alice@gmail.com', 'html'],
  ];
  for (const [path, format] of paths) {
    const reply = await request(path);
    sane(t, reply, format, path.slice(0, 80));
    if (path.includes('package.json') || path.includes('passwd')) t.notMatch(reply.body, /"dependencies"|root:/, `${path}: nothing outside the served files`);
  }
});

t.test('methods a route does not serve, HEAD, and bodies on GET', async (t) => {
  const routes: ReadonlyArray<[string, Format]> = [
    ['/mail/config-v1.1.xml?emailaddress=alice@gmail.com', 'thunderbird'], ['/v1.1/gmail.com', 'thunderbird'], [POX, 'pox'],
    [`${V2}?Protocol=AutodiscoverV1&Email=alice@gmail.com`, 'v2'], [`${V2}/v1.0/alice@gmail.com?Protocol=AutodiscoverV1`, 'v2'],
    ['/mobileconfig?emailaddress=alice@gmail.com', 'apple'], ['/api/v1/settings?email=alice@gmail.com', 'json'], ['/api/v1/openapi.json', 'json'],
    ['/', 'html'], ['/setup?email=alice@gmail.com', 'html'], ['/setup/gmail.com', 'html'], ['/help/imap-pop3', 'html'], ['/healthz', 'json'], ['/metrics', 'text'],
  ];
  for (const [path, format] of routes) {
    const get = await request(path);
    sane(t, get, format, `GET ${path}`);
    const head = await request(path, { method: 'HEAD' });
    sane(t, head, format, `HEAD ${path}`, 'HEAD');
    t.equal(head.status, get.status, `HEAD ${path}: the status of GET`);
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) {
      if (method === 'POST' && path === POX) continue;
      const reply = await request(path, { method, body: 'x', headers: { 'content-type': 'text/plain' } });
      sane(t, reply, format, `${method} ${path}`, method);
      t.ok(reply.status >= 200 && reply.status < 500, `${method} ${path}: ${reply.status}`);
      if (method !== 'OPTIONS') t.ok(reply.status >= 400, `${method} ${path}: not served`);
    }
    for (const [type, body] of [['application/json', '{"email":'], ['application/xml', '<a'], ['', 'garbage'], ['not a type', '\u0000\u0001']] as const) {
      const reply = await request(path, { body, headers: type ? { 'content-type': type } : {} });
      sane(t, reply, format, `GET ${path} with a ${type || 'typeless'} body`);
      t.equal(reply.status, get.status, `GET ${path} with a body: answered as without`);
    }
  }
});

t.test('the Host header cannot break links or pages', async (t) => {
  const hosts = ['[::1', 'gmail.com:99999', `${'a'.repeat(5000)}.com`, '<script>', 'a b', '%zz', 'autoconfig.', '', 'evil.example:80@other'];
  for (const host of hosts) {
    for (const [path, format] of [['/', 'html'], ['/setup?email=alice@gmail.com', 'html'], ['/setup/gmail.com', 'html'], [`${V2}?Protocol=AutodiscoverV1&Email=alice@gmail.com`, 'v2'], ['/api/v1/openapi.json', 'json'], ['/mail/config-v1.1.xml', 'thunderbird']] as const) {
      const reply = await request(path, { headers: { host } });
      sane(t, reply, format, `${path} Host: ${host.slice(0, 30)}`);
      if (format === 'v2' && reply.status === 200) t.doesNotThrow(() => new URL((JSON.parse(reply.body) as { Url: string }).Url), 'the V2 pointer is a URL');
    }
  }
});

t.test('admin routes are not there without a configured token', async (t) => {
  for (const method of ['GET', 'PUT', 'DELETE', 'POST', 'HEAD']) {
    for (const path of ['/admin/providers', '/admin/providers/googlemail.com', '/admin', '/admin/providers/..%2f..%2fpackage']) {
      const reply = await request(path, { method, headers: { authorization: 'Bearer 0123456789abcdef0123456789abcdef', 'content-type': 'application/xml' }, body: method === 'PUT' ? '<clientConfig/>' : undefined });
      t.equal(reply.status, 404, `${method} ${path}: 404`);
      sane(t, reply, 'json', `${method} ${path}`, method);
    }
  }
});

function poxRequest(address: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="${OUTLOOK_NS}">\n  <Request>\n    <EMailAddress>${address}</EMailAddress>\n    <AcceptableResponseSchema>${OUTLOOK_SCHEMA}</AcceptableResponseSchema>\n  </Request>\n</Autodiscover>\n`;
}

const GOOD = poxRequest('alice@gmail.com');
const utf16 = (text: string, bom: boolean, bigEndian = false) => {
  const le = Buffer.from(text.replace('utf-8', 'utf-16'), 'utf16le');
  const bytes = bigEndian ? Buffer.from(le).swap16() : le;
  return bom ? Buffer.concat([Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]), bytes]) : bytes;
};

/** POX bodies that must be refused with error 600 (HTTP 400, or 413 when too large). */
const BAD_POX: Record<string, Buffer | string> = {
  empty: '',
  'only white space': ' \r\n\t ',
  binary: Buffer.from([0xff, 0x00, 0x80, 0x90, 0xc3, 0x28, 0xfe, 0x01]),
  'invalid UTF-8 inside': Buffer.concat([Buffer.from(GOOD.slice(0, 150)), Buffer.from([0xc3, 0x28]), Buffer.from(GOOD.slice(150))]),
  'UTF-16 with a lone surrogate': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('</a>', 'utf16le')]),
  DOCTYPE: `<?xml version="1.0"?>\n<!DOCTYPE Autodiscover [<!ENTITY a "alice@gmail.com">]>\n${poxRequest('&a;').replace(/^<\?xml[^>]*>\n/, '')}`,
  'external entity': `<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&xxe;</a>`,
  'billion laughs': `<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><Autodiscover>&b;</Autodiscover>`,
  'undeclared entity': poxRequest('&a;@gmail.com'),
  'nested 1000 deep': `<Autodiscover xmlns="${OUTLOOK_NS}">${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}</Autodiscover>`,
  'nested 33 deep': `${'<a>'.repeat(33)}${'</a>'.repeat(33)}`,
  '2000 unclosed tags': '<a>'.repeat(2000),
  'over 16 KiB': GOOD.replace('</Autodiscover>', `<!--${'x'.repeat(16 * 1024)}--></Autodiscover>`),
  'over 16 KiB of white space': GOOD + ' '.repeat(16 * 1024),
  '<__proto__> element': `<Autodiscover xmlns="${OUTLOOK_NS}"><__proto__/><Request><EMailAddress>alice@gmail.com</EMailAddress></Request></Autodiscover>`,
  '<constructor> element': `<Autodiscover xmlns="${OUTLOOK_NS}"><Request><constructor>x</constructor><EMailAddress>alice@gmail.com</EMailAddress></Request></Autodiscover>`,
  '__proto__ attribute': `<Autodiscover __proto__="x"><Request><EMailAddress>alice@gmail.com</EMailAddress></Request></Autodiscover>`,
  'two roots': GOOD + GOOD.replace(/^<\?xml[^>]*>/, ''),
  'not XML': 'hello',
  JSON: '{"EMailAddress":"alice@gmail.com"}',
  'form encoded': 'EMailAddress=alice%40gmail.com',
  'unclosed element': GOOD.replace('</Request>', ''),
  'duplicate attribute': '<Autodiscover a="1" a="2"/>',
  '<script> in the address': poxRequest('<script>alert(1)</script>@gmail.com'),
  'escaped <script> in the address': poxRequest('&lt;script&gt;@gmail.com'),
  'CDATA <script>': poxRequest('<![CDATA[<script>@gmail.com]]>'),
  'quotes in the address': poxRequest('a"\'@gmail.com'),
  'NUL character reference': poxRequest('ali&#0;ce@gmail.com'),
  'control character': poxRequest('ali\u0001ce@gmail.com'),
  'address over 254': poxRequest(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`),
  'empty address': poxRequest(''),
  'wrong root': `<Request><EMailAddress>alice@gmail.com</EMailAddress></Request>`,
  'comment before the declaration': `<!-- x -->${GOOD}`,
};
/** POX bodies that are odd but valid: the settings (or 501 for an unknown domain). */
const ODD_POX: Record<string, Buffer | string> = {
  'UTF-8 byte order mark': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)]),
  'UTF-16LE with BOM': utf16(GOOD, true),
  'UTF-16BE with BOM': utf16(GOOD, true, true),
  'UTF-16LE without BOM': utf16(GOOD, false),
  CDATA: poxRequest('<![CDATA[alice@gmail.com]]>'),
  'comment inside the address': poxRequest('alice@gm<!-- x -->ail.com'),
  'comments around': `<?xml version="1.0"?><!-- a --><Autodiscover xmlns="${OUTLOOK_NS}"><!-- b --><Request><EMailAddress>alice@gmail.com</EMailAddress></Request></Autodiscover><!-- c -->`,
  'namespace prefix': `<a:Autodiscover xmlns:a="${OUTLOOK_NS}"><a:Request><a:EMailAddress>alice@gmail.com</a:EMailAddress><a:AcceptableResponseSchema>${OUTLOOK_SCHEMA}</a:AcceptableResponseSchema></a:Request></a:Autodiscover>`,
  'character reference for @': poxRequest('alice&#64;gmail.com'),
  'upper case with trailing dot': poxRequest('ALICE@GMAIL.COM.'),
  'IDN domain': poxRequest('alice@bücher.de'),
  'processing instruction': `<?xml version="1.0"?><?pi data?>${GOOD.replace(/^<\?xml[^>]*>/, '')}`,
  'toString element': `<Autodiscover xmlns="${OUTLOOK_NS}"><Request><toString/><EMailAddress>alice@gmail.com</EMailAddress></Request></Autodiscover>`,
};
const CONTENT_TYPES = [undefined, 'text/xml', 'text/xml; charset=utf-16', 'application/xml; charset=nonsense', 'garbage', ';;;', 'text/xml;', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json', '*/*', 'text/xml; charset="utf-8"; x=' + 'y'.repeat(4000)];

t.test('POX: bad bodies get error 600 as an Autodiscover document, whatever the Content-Type', async (t) => {
  for (const [name, body] of Object.entries(BAD_POX)) {
    for (const type of CONTENT_TYPES) {
      const reply = await request('/Autodiscover/Autodiscover.xml', { method: 'POST', body, headers: type === undefined ? {} : { 'content-type': type } });
      const label = `POX ${name} as ${type ?? 'no type'}`;
      sane(t, reply, 'pox', label);
      t.match(reply.body, /<ErrorCode>600<\/ErrorCode>/, `${label}: error 600`);
      t.equal(reply.status, /16 KiB/.test(name) ? 413 : 400, `${label}: HTTP ${reply.status}`);
      t.ok(reply.body.length < 2000, `${label}: a short reason, not the input echoed back`);
      t.notMatch(reply.body, /<script>/, `${label}: no markup echoed`);
    }
  }
});

t.test('POX: odd but valid bodies are answered', async (t) => {
  for (const [name, body] of Object.entries(ODD_POX)) {
    for (const type of CONTENT_TYPES) {
      const reply = await request(POX, { method: 'POST', body, headers: type === undefined ? {} : { 'content-type': type } });
      const label = `POX ${name} as ${type ?? 'no type'}`;
      sane(t, reply, 'pox', label);
      t.equal(reply.status, 200, `${label}: 200`);
      t.match(reply.body, name === 'IDN domain' ? /<ErrorCode>501<\/ErrorCode>/ : /<Server>imap\.gmail\.com<\/Server>/, `${label}: the answer`);
    }
  }
});

t.test('POX: a body that stops short or never comes does not hang the server', async (t) => {
  // Content-Length larger than what is sent, then the client closes: the server must not leak an error to others.
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${POX} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<Autodiscover>`);
      setTimeout(() => socket.destroy(), 100);
      socket.on('close', () => resolve());
    });
  });
  const after = await request(POX, { method: 'POST', body: GOOD, headers: { 'content-type': 'text/xml' } });
  t.equal(after.status, 200, 'the next request is answered');
});

t.test('rate limit: the 429 is in the endpoint\'s format too', async (t) => {
  const limited = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '1' } });
  t.teardown(() => limited.close());
  const limitedPort = Number(new URL(limited.url).port);
  const send = (target: string, method = 'GET', body?: string) =>
    raw(`${method} ${target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: text/xml\r\ncontent-length: ${Buffer.byteLength(body ?? '')}\r\n\r\n${body ?? ''}`, limitedPort);
  await send('/api/v1/settings?email=alice@gmail.com');
  const pox = await send(POX, 'POST', GOOD);
  t.equal(pox.status, 429);
  sane(t, pox, 'pox', 'POX over the limit');
  const api = await send('/api/v1/settings?email=alice@gmail.com');
  t.equal(api.status, 429);
  sane(t, api, 'json', 'API over the limit');
});
