// Properties of every route family over generated requests (fast-check): any method, path, query, body and headers
// (Host, X-Request-Id, Accept, Content-Type, Authorization) get an answer, below 500, in the family's own format,
// with X-Content-Type-Options: nosniff, and without an injected marker coming back raw in the body or a header.
// Most requests go through app.inject (fast); a share goes over real sockets with undici against the listening
// server. Discovery is off and the domain check asks a fake DNS on loopback with an empty zone (nothing resolves, so
// nothing is contacted); the admin API is on, and no request carries its token.
import t from 'tap';
import fc from 'fast-check';
import { METHODS as METHODS_KNOWN } from 'node:http';
import { request as undiciRequest } from 'undici';
import { DomainChecker } from '../../src/check/checker.js';
import { loadConfig } from '../../src/config.js';
import { routeFamily } from '../../src/http/errors.js';
import { buildServer } from '../../src/http/server.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { LiveProviderStore } from '../../src/providers/store.js';
import { startFakeDns } from '../helpers/fake-dns.js';
import { copyProviders } from '../helpers/providers.js';
import { anyText, MARKERS, mutated, runs, validAddress } from '../helpers/properties.js';

const TOKEN = 'routes-property-admin-token-0123456789';
const dir = await copyProviders(t);
const dns = await startFakeDns({ zone: {} });
t.teardown(() => dns.close());
const config = {
  ...loadConfig({ MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY_RATE_LIMIT: '0', MAILCONFIG_ADMIN_TOKEN: TOKEN, MAILCONFIG_PROVIDERS: dir }),
  host: '127.0.0.1',
  port: 0,
};
const store = await LiveProviderStore.open(dir);
const checker = new DomainChecker(store, {
  dnsServers: [{ address: dns.address, port: dns.port }],
  allowNetworks: [],
  identity: { hostnames: config.hostnames, addresses: [] },
  timeoutMs: 3000,
});
const app = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store), checker });
await app.listen({ host: '127.0.0.1', port: 0 });
t.teardown(() => app.close());
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('server has no TCP address');
const base = `http://127.0.0.1:${address.port}`;

/** A request that has not answered in this long hangs (generous: the machine is slow and shared). */
const DEADLINE_MS = 15_000;

type Family = 'thunderbird' | 'pox' | 'v2' | 'apple' | 'pacc' | 'api' | 'pages' | 'admin' | 'text' | 'other' | 'parser';

interface Req {
  family: Family;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

// ------------------------------------------------------------------------------------------------ generators

/** Values for a query parameter or a path segment: addresses of known domains, near misses, markup, anything. */
const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('alice@posteo.de', 'bob@t-online.de', 'carol@gmx.net', 'posteo.de', 'gmx.net', 'jörg@bücher.de') },
  { weight: 2, arbitrary: validAddress },
  { weight: 3, arbitrary: mutated(fc.constantFrom('alice@posteo.de', 'posteo.de', 'x@gmx.net')) },
  { weight: 3, arbitrary: fc.constantFrom(...MARKERS).chain((m) => fc.constantFrom(m, `${m}@posteo.de`, `alice@${m}`, `alice@posteo.de${m}`, `a${m}b`)) },
  { weight: 2, arbitrary: anyText(120) },
);

/** Percent-encoding that also takes lone surrogates (encodeURIComponent throws): as the bytes of one, invalid UTF-8. */
function encode(text: string): string {
  return [...text].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
}

/** How a value is put into a URL: percent-encoded, partly raw, or with broken escapes. */
const encoded = fc.tuple(value, fc.constantFrom('encode', 'encode', 'encode', 'raw-safe', 'broken', 'plus')).map(([text, how]) => {
  switch (how) {
    case 'raw-safe':
      // What a careless client sends: only the characters that would break the request line encoded.
      // eslint-disable-next-line no-control-regex -- control characters must be encoded to be sent at all
      return text.replace(/[\s#%&?\u0000-\u001f\u007f-\uffff]/gu, (c) => encode(c).replace(/%25/g, '%'));
    case 'broken':
      return `${encode(text)}%${['zz', '2', '', 'ED%A0%80', 'C0%AF'][text.length % 5]}`;
    case 'plus':
      return encode(text).replace(/%20/g, '+');
    default:
      return encode(text);
  }
});

const paramName = (names: string[]) => fc.constantFrom(...names, ...names.map((n) => n.toUpperCase()), 'x', '');
/** Addresses and domains the database knows: most requests for them are answered, not refused. */
const KNOWN = ['alice@posteo.de', 'bob@t-online.de', 'carol@gmx.net', 'Dave.X+tag@POSTEO.DE'];
const query = (names: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.tuple(paramName(names), encoded), { maxLength: 3 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom(...KNOWN, 'posteo.de', 'gmx.net')).map(([k, v]) => `?${k}=${encodeURIComponent(v)}`) },
  );

const segment = encoded.filter((s) => s !== '' && s !== '.' && s !== '..');

function pathCase(path: string, upper: boolean): string {
  return upper ? path.toUpperCase() : path;
}

/** The POX bodies: valid requests for known and unknown addresses, mutated ones, markup, anything. */
function poxBody(email: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
}
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const poxBodies = fc.oneof(
  value.map((v) => poxBody(xmlEscape(v))),
  mutated(value.map((v) => poxBody(xmlEscape(v))), 4),
  value.map((v) => poxBody(v)),
  anyText(300),
  fc.constantFrom('', ' ', '<script>x</script>', '<!DOCTYPE a [<!ENTITY x "y">]><Autodiscover/>', `<a>${'<b>'.repeat(40)}`),
);

const families: Record<Exclude<Family, 'parser'>, fc.Arbitrary<Omit<Req, 'method' | 'headers'> & { method?: string; headers?: Record<string, string> }>> = {
  thunderbird: fc.oneof(
    fc.tuple(fc.constantFrom('/mail/config-v1.1.xml', '/.well-known/autoconfig/mail/config-v1.1.xml'), query(['emailaddress', 'email']), fc.boolean()).map(([p, q, up]) => ({ family: 'thunderbird' as const, url: pathCase(p, up) + q })),
    segment.map((s) => ({ family: 'thunderbird' as const, url: `/v1.1/${s}` })),
  ),
  pox: fc.oneof(
    fc.tuple(poxBodies, fc.boolean()).map(([body, up]) => ({ family: 'pox' as const, method: 'POST', url: pathCase('/autodiscover/autodiscover.xml', up), body })),
    query(['email', 'emailaddress']).map((q) => ({ family: 'pox' as const, url: `/Autodiscover/Autodiscover.xml${q}` })),
  ),
  v2: fc.oneof(
    fc.tuple(query(['Email', 'Protocol']), fc.constantFrom('', '&Protocol=AutodiscoverV1', '&Protocol=autodiscoverv1')).map(([q, p]) => ({ family: 'v2' as const, url: `/autodiscover/autodiscover.json${q}${q ? p : p.replace('&', '?')}` })),
    fc.tuple(segment, query(['Protocol'])).map(([s, q]) => ({ family: 'v2' as const, url: `/autodiscover/autodiscover.json/v1.0/${s}${q || '?Protocol=AutodiscoverV1'}` })),
  ),
  apple: fc.tuple(fc.constantFrom('/mobileconfig', '/email.mobileconfig'), query(['emailaddress', 'email', 'lang'])).map(([p, q]) => ({ family: 'apple' as const, url: p + q })),
  pacc: query(['domain', 'explain']).map((q) => ({ family: 'pacc' as const, url: `/.well-known/user-agent-configuration.json${q}` })),
  api: fc.oneof(
    fc.tuple(fc.constantFrom('settings', 'dns', 'check', 'openapi.json'), query(['email', 'domain', 'explain'])).map(([p, q]) => ({ family: 'api' as const, url: `/api/v1/${p}${q}` })),
    segment.map((s) => ({ family: 'api' as const, url: `/api/v1/${s}` })),
  ),
  pages: fc.oneof(
    fc.tuple(fc.constantFrom('/', '//', '/setup', '/help/imap-pop3'), query(['email', 'lang', 'client'])).map(([p, q]) => ({ family: 'pages' as const, url: p + q })),
    fc.tuple(fc.constantFrom('/setup/', '/check/'), segment, query(['lang', 'email'])).map(([p, s, q]) => ({ family: 'pages' as const, url: p + s + q })),
  ),
  admin: fc.tuple(fc.constantFrom('GET', 'PUT', 'DELETE', 'POST'), fc.option(segment, { nil: undefined }), fc.constantFrom(undefined, '', 'Bearer', 'Bearer wrong-token-0123456789abcdef', `Bearer ${TOKEN}x`, 'Basic YWRtaW46YWRtaW4=', `bearer  ${MARKERS[1]}`), anyText(200)).map(([method, s, authorization, body]) => ({
    family: 'admin' as const,
    method,
    url: s === undefined ? '/admin/providers' : `/admin/providers/${s}`,
    ...(authorization === undefined ? {} : { headers: { authorization } }),
    ...(method === 'PUT' || method === 'POST' ? { body } : {}),
  })),
  text: fc.oneof(
    fc.constantFrom('/healthz', '/metrics', '/assets/script.js', '/assets/style.css', '/.well-known/acme-challenge/x').map((url) => ({ family: 'text' as const, url })),
    segment.map((s) => ({ family: 'text' as const, url: `/assets/${s}` })),
  ),
  other: fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => ({ family: 'other' as const, url: `/${parts.join('/')}` })),
    fc.constantFrom('/favicon.ico', '/%2e%2e/%2e%2e/etc/passwd', `/${'a'.repeat(3000)}`, '/api', '/admin').map((url) => ({ family: 'other' as const, url })),
  ),
};

/** Header values a client may legally send (visible ASCII and blanks), hostile ones included. */
const headerText = fc.oneof(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }), fc.constantFrom(...MARKERS));
const headers = fc.record(
  {
    host: fc.oneof(fc.constantFrom('localhost', 'autoconfig.posteo.de', 'ua-auto-config.posteo.de', 'autodiscover.gmx.net', '127.0.0.1:8080', '[::1]', 'UA-AUTO-CONFIG.GMX.NET.'), headerText),
    'x-request-id': headerText,
    accept: fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*', 'text/xml', 'text/html,application/xhtml+xml;q=0.9'), headerText),
    'content-type': fc.oneof(fc.constantFrom('text/xml', 'application/xml; charset=utf-8', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'), headerText),
    'accept-language': fc.oneof(fc.constantFrom('de', 'en-US,en;q=0.5', '*'), headerText),
    'user-agent': fc.oneof(fc.constantFrom('Microsoft Office/16.0', 'Thunderbird/128.0', 'Mozilla/5.0 (iPhone)'), headerText),
  },
  { requiredKeys: [] },
);

const METHODS_NODE_KNOWS = new Set(METHODS_KNOWN);
const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'BREW'];
const requests: fc.Arbitrary<Req> = fc
  .tuple(fc.oneof(...Object.values(families)), fc.option(fc.constantFrom(...METHODS), { nil: undefined, freq: 4 }), headers)
  .map(([req, method, extra]) => ({ ...req, method: method ?? req.method ?? 'GET', headers: { ...extra, ...req.headers } }));

// ------------------------------------------------------------------------------------------------ the checks

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Never raw in a body or a header, whatever was sent (escaped forms are fine). */
const RAW = ['<script>x</script>', '<img src=x', '<svg onload', '</title><script>'];

function header(answer: Answer, name: string): string {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
}

const PLAIN = /^text\/plain; charset=utf-8$/;
const JSON_TYPE = /^application\/json/;
const HTML = /^text\/html; charset=utf-8$/;
const POX_XML = /^text\/xml; charset=utf-8$/;

/** The content type a family's own routes answer in: for a success, and for a refusal. */
function routeType(req: Req, ok: boolean): RegExp {
  switch (req.family) {
    case 'thunderbird':
      return ok ? /^application\/xml; charset=utf-8$/ : PLAIN;
    case 'pox':
      return POX_XML;
    case 'apple':
      return ok ? /^application\/x-apple-aspen-config/ : PLAIN;
    case 'v2':
    case 'pacc':
    case 'api':
    case 'admin':
    case 'parser':
      return JSON_TYPE;
    case 'pages':
      return HTML;
    case 'text':
      // Health is JSON, metrics text, assets their own types; a missing asset is a text 404.
      return ok ? /^(text\/(plain|css|javascript)|application\/(javascript|json)|image\/)/ : /^(text\/plain|application\/json)/;
    case 'other':
      return JSON_TYPE;
  }
}

/**
 * The format of an answer no route made (an unknown path or method, a URL the router cannot decode): the family of
 * the path as src/http/errors.ts defines the families, a page for a browser asking a path of no family.
 */
function fallbackType(req: Req): RegExp {
  const family = routeFamily(req.url);
  switch (family) {
    case 'thunderbird':
    case 'apple':
    case 'text':
      return PLAIN;
    case 'autodiscover':
      return POX_XML;
    case 'autodiscover-v2':
    case 'api':
    case 'json':
      return JSON_TYPE;
    case 'pages':
      return HTML;
    case 'other':
      return /\btext\/html\b/i.test(req.headers.accept ?? '') ? HTML : JSON_TYPE;
  }
}

/** Whether a route serves this method at this family's paths (else the answer is a fallback). */
function served(req: Req): boolean {
  if (req.family === 'parser' || req.family === 'other') return false;
  if (req.family === 'admin') return true;
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  return req.family === 'pox' && req.method === 'POST' && !req.url.includes('?');
}

function expectedType(req: Req, ok: boolean): RegExp {
  if (req.family === 'parser') return JSON_TYPE;
  return served(req) ? routeType(req, ok) : fallbackType(req);
}

/** A method Node's HTTP parser does not know never reaches a route: a JSON 400 from client-error.ts. */
function familyOfAnswer(req: Req): Req {
  return METHODS_NODE_KNOWS.has(req.method) ? req : { ...req, family: 'parser' };
}

function check(given: Req, answer: Answer): void {
  const req = familyOfAnswer(given);
  const label = `${req.method} ${req.url} -> ${answer.status}`;
  if (!(answer.status >= 200 && answer.status < 500)) throw new Error(`${label}: status outside 2xx-4xx (3xx counted with 2xx)`.replace('2xx-4xx (3xx counted with 2xx)', '200-499'));
  if (header(answer, 'x-content-type-options') !== 'nosniff') throw new Error(`${label}: no X-Content-Type-Options: nosniff`);
  for (const raw of RAW) {
    if (answer.body.includes(raw)) throw new Error(`${label}: the body repeats ${raw} raw`);
    for (const [name, v] of Object.entries(answer.headers)) if (String(v).includes(raw)) throw new Error(`${label}: header ${name} repeats ${raw} raw`);
  }
  if (req.method === 'HEAD' || answer.status === 204 || answer.status === 304 || (answer.status >= 300 && answer.status < 400)) return;
  const ok = answer.status < 300;
  const type = header(answer, 'content-type');
  // A method no route of this path serves (405-like): 404 in the family's format, as for an unknown path.
  if (!expectedType(req, ok).test(type)) throw new Error(`${label}: content type ${JSON.stringify(type)} is not the ${req.family} family's (${expectedType(req, ok)})`);
  if (/json/.test(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new Error(`${label}: the body is not JSON`);
    }
    if (!ok && req.family !== 'pacc' && typeof parsed === 'object' && parsed !== null) {
      const p = parsed as Record<string, unknown>;
      const reason = req.family === 'v2' ? p.ErrorMessage : (p.message ?? p.error);
      if (typeof reason !== 'string' || reason === '') throw new Error(`${label}: a JSON error without a reason: ${answer.body.slice(0, 200)}`);
      // The JSON 404 says what was wrong without repeating the path.
      const path = req.url.split('?')[0]!;
      if (answer.status === 404 && path.length > 12 && answer.body.includes(path)) throw new Error(`${label}: the 404 repeats the path`);
    }
  }
  if (/^text\/xml/.test(type) && !/^<\?xml[^>]*\?>\s*<Autodiscover xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/responseschema\/2006">/.test(answer.body)) {
    throw new Error(`${label}: not an Autodiscover document: ${answer.body.slice(0, 200)}`);
  }
  if (/^text\/xml/.test(type) && !ok && !/<ErrorCode>60\d<\/ErrorCode>/.test(answer.body)) throw new Error(`${label}: an Autodiscover refusal without an error code`);
  if (/^application\/xml/.test(type) && !/<clientConfig/.test(answer.body)) throw new Error(`${label}: not a clientConfig document`);
  if (/^text\/html/.test(type) && !/^<!doctype html>/i.test(answer.body)) throw new Error(`${label}: not a page`);
  // A text/plain refusal says what was wrong, without markup from the request.
  if (/^text\/plain/.test(type) && !ok && /<[a-z/!]/i.test(answer.body)) throw new Error(`${label}: a text refusal with markup: ${answer.body.slice(0, 200)}`);
}

function withDeadline<T>(work: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function viaInject(req: Req): Promise<Answer> {
  const res = await withDeadline(
    app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.body === undefined ? {} : { payload: req.body }) }),
    `${req.method} ${req.url}`,
  );
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

async function viaSocket(req: Req): Promise<Answer> {
  const res = await undiciRequest(base + req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body === undefined || req.method === 'GET' || req.method === 'HEAD' ? {} : { body: req.body }),
    headersTimeout: DEADLINE_MS,
    bodyTimeout: DEADLINE_MS,
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

// ------------------------------------------------------------------------------------------------ the properties

t.test('through app.inject: every family answers below 500, in its format, nosniff, nothing echoed raw', async (t) => {
  // inject refuses methods Node does not know (BREW) itself; those go over the sockets below.
  const injectable = requests.filter((req) => METHODS_NODE_KNOWS.has(req.method));
  // What was answered, by family and status class: a run that never reached a 2xx would prove little.
  const tally = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(injectable, async (req) => {
      const answer = await viaInject(req);
      const key = `${req.family} ${String(answer.status).charAt(0)}xx`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      check(req, answer);
    }),
    { numRuns: runs(600) },
  );
  t.comment([...tally].sort().map(([k, n]) => `${k}: ${n}`).join(', '));
  t.ok([...tally.keys()].some((k) => k.endsWith('2xx')) && [...tally.keys()].some((k) => k.endsWith('4xx')), 'both answers and refusals were checked');
});

t.test('over real sockets (undici): the same, for a share of the requests', async (t) => {
  // undici refuses to send some things itself (a Host header is its own business, a GET with a body): those are left to inject.
  const sendable = requests.map((req) => {
    const headers = { ...req.headers };
    delete headers.host;
    return { ...req, headers };
  });
  await fc.assert(
    fc.asyncProperty(sendable, async (req) => check(req, await withDeadline(viaSocket(req), `${req.method} ${req.url}`))),
    { numRuns: runs(80) },
  );
  t.pass('held');
});
