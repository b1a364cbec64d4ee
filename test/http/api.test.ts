import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAddress } from '../../src/settings/address.js';
import { personalize } from '../../src/settings/placeholders.js';
import { rankServers } from '../../src/settings/preference.js';
import { startTestServer } from '../helpers/server.js';

type Json = Record<string, unknown>;

const server = await startTestServer();
t.teardown(() => server.close());

// A provider for an IDN domain (bücher.example), to see Unicode shown and punycode used.
const idnDir = await mkdtemp(join(tmpdir(), 'mailconfig-api-'));
t.teardown(() => rm(idnDir, { recursive: true, force: true }));
await writeFile(
  join(idnDir, 'xn--bcher-kva.example.xml'),
  `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="xn--bcher-kva.example">
    <domain>xn--bcher-kva.example</domain>
    <displayName>Bücher Mail</displayName>
    <incomingServer type="imap">
      <hostname>mail.xn--bcher-kva.example</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-encrypted</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>mail.xn--bcher-kva.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>mail.xn--bcher-kva.example</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://xn--bcher-kva.example/help">
      <descr lang="de">Hilfe</descr>
    </documentation>
    <enable visiturl="https://xn--bcher-kva.example/settings">
      <instruction lang="en">Turn on IMAP first.</instruction>
    </enable>
  </emailProvider>
</clientConfig>
`,
);
const idnServer = await startTestServer({ env: { MAILCONFIG_PROVIDERS: idnDir } });
t.teardown(() => idnServer.close());

async function getJson(base: string, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

t.test('settings carry the provider database values, servers in preference order, user names filled in', async (t) => {
  const { status, headers, body } = await getJson(server.url, '/api/v1/settings?email=alice%40posteo.de');
  t.equal(status, 200);
  t.match(headers.get('content-type'), /^application\/json/);
  const address = parseAddress('alice@posteo.de');
  const provider = server.store.current().byDomain('posteo.de')!.config;
  const expected = rankServers(personalize(provider, address).servers);
  const servers = body.servers as Json[];
  t.equal(servers.length, expected.length);
  servers.forEach((s, i) => {
    const e = expected[i]!;
    t.same(
      { protocol: s.protocol, host: s.host, port: s.port, security: s.security, auth: s.auth, username: s.username, source: s.source, warnings: s.warnings },
      { protocol: e.protocol, host: e.host, port: e.port, security: e.security, auth: e.auth, username: e.username, source: e.source, warnings: [] },
      `server ${i}`,
    );
  });
  // The order itself: IMAP before POP3 before SMTP, implicit TLS before STARTTLS inside each.
  t.same(
    servers.map((s) => `${s.protocol}:${s.port}`),
    ['imap:993', 'imap:143', 'pop3:995', 'pop3:110', 'smtp:465', 'smtp:587'],
  );
  t.same(body.address, { email: 'alice@posteo.de', emailUnicode: 'alice@posteo.de', localPart: 'alice', domain: 'posteo.de', domainUnicode: 'posteo.de' });
  const p = body.provider as Json;
  t.equal(p.id, 'posteo.de');
  t.equal(p.displayName, 'Posteo');
  t.same(p.source, { kind: 'database', detail: 'posteo.de.xml', confidence: 'high' });
  t.match((p.documentation as Json[])[0], { url: /^https:\/\/posteo\.de\// });
  t.equal(body.steps, undefined, 'no steps unless asked');
  t.equal((servers[0]!.source as Json).kind, 'database');
});

t.test('explain=1 adds the resolver steps (also on 404)', async (t) => {
  const found = await getJson(server.url, '/api/v1/settings?email=alice%40posteo.de&explain=1');
  const steps = found.body.steps as Json[];
  t.same(steps, [{ kind: 'database', subject: 'posteo.de', outcome: 'found', detail: 'posteo.de.xml', ms: 0, text: 'database: found: posteo.de.xml' }], 'the database answered: one step');
  const missing = await getJson(server.url, '/api/v1/settings?email=alice%40nowhere.example&explain=true');
  t.equal(missing.status, 404);
  t.match((missing.body.steps as Json[])[0], { kind: 'database', subject: 'nowhere.example', outcome: 'nothing' });
  const plain = await getJson(server.url, '/api/v1/settings?email=alice%40posteo.de&explain=0');
  t.equal(plain.body.steps, undefined);
});

t.test('errors are JSON {error, message}: 400 for a bad or missing address, 404 for an unknown domain', async (t) => {
  // invalid_address also carries the address error's stable code (src/settings/address.ts), for programs.
  const cases: [string, number, string, RegExp, string | undefined][] = [
    ['/api/v1/settings', 400, 'missing_address', /email=/, undefined],
    ['/api/v1/settings?email=', 400, 'missing_address', /email=/, undefined],
    ['/api/v1/settings?email=no-at-sign', 400, 'invalid_address', /no @/, 'MAILCONFIG_ADDRESS_NO_AT'],
    ['/api/v1/settings?email=%3Cx%3E%40posteo.de', 400, 'invalid_address', /characters/, 'MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS'],
    ['/api/v1/settings?email=a%40b%00c.de', 400, 'invalid_address', /control characters/, 'MAILCONFIG_ADDRESS_DOMAIN_CHARACTERS'],
    ['/api/v1/settings?email=a%40x.de&email=b%40y.de', 400, 'invalid_address', /more than one/, 'MAILCONFIG_ADDRESS_URL_TWO_ADDRESSES'],
    ['/api/v1/settings?email=a%40nowhere.example', 404, 'unknown_domain', /nowhere\.example/, undefined],
  ];
  for (const [url, status, error, message, code] of cases) {
    const res = await getJson(server.url, url);
    t.equal(res.status, status, url);
    t.match(res.headers.get('content-type'), /^application\/json/, url);
    t.equal(res.body.error, error, url);
    t.match(res.body.message, message, url);
    t.equal(res.body.code, code, `${url}: code`);
  }
});

t.test('IDN address: Unicode shown, punycode used for lookups and user names', async (t) => {
  const { status, body } = await getJson(idnServer.url, `/api/v1/settings?email=${encodeURIComponent('jürgen@Bücher.example')}`);
  t.equal(status, 200);
  t.same(body.address, {
    email: 'jürgen@xn--bcher-kva.example',
    emailUnicode: 'jürgen@bücher.example',
    localPart: 'jürgen',
    domain: 'xn--bcher-kva.example',
    domainUnicode: 'bücher.example',
  });
  const servers = body.servers as Json[];
  t.same(servers.map((s) => `${s.protocol}:${s.port}:${s.security}`), ['imap:993:tls', 'imap:143:starttls', 'smtp:587:starttls']);
  t.same(servers[1]!.auth, ['password-encrypted', 'password-cleartext'], "auth methods keep the source's order");
  t.equal(servers[0]!.username, 'jürgen');
  t.equal(servers[2]!.username, 'jürgen@xn--bcher-kva.example');
  const p = body.provider as Json;
  t.equal(p.displayName, 'Bücher Mail');
  t.same(p.enable, [{ visitUrl: 'https://xn--bcher-kva.example/settings', instructions: [{ lang: 'en', text: 'Turn on IMAP first.' }] }]);
  // The punycode form of the address finds the same settings.
  const ascii = await getJson(idnServer.url, '/api/v1/settings?email=j%C3%BCrgen%40xn--bcher-kva.example');
  t.same(ascii.body.servers, body.servers);
  const missing = await getJson(server.url, `/api/v1/settings?email=${encodeURIComponent('a@bücher.example')}`);
  t.equal(missing.status, 404);
  t.match(missing.body.message, /bücher\.example/, 'the error names the domain as people write it');
});

t.test('CORS on /api only', async (t) => {
  const origin = { headers: { origin: 'https://help.example.org' } };
  const res = await fetch(`${server.url}/api/v1/settings?email=alice%40posteo.de`, origin);
  t.equal(res.headers.get('access-control-allow-origin'), '*');
  const error = await fetch(`${server.url}/api/v1/settings?email=bad`, origin);
  t.equal(error.headers.get('access-control-allow-origin'), '*', 'errors are readable cross-origin too');
  const preflight = await fetch(`${server.url}/api/v1/settings?email=alice%40posteo.de`, {
    method: 'OPTIONS',
    headers: { origin: 'https://help.example.org', 'access-control-request-method': 'GET' },
  });
  t.equal(preflight.status, 204);
  t.equal(preflight.headers.get('access-control-allow-origin'), '*');
  t.match(preflight.headers.get('access-control-allow-methods'), /GET/);
  const other = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=alice%40posteo.de`, origin);
  t.equal(other.status, 200);
  t.equal(other.headers.get('access-control-allow-origin'), null, 'no CORS outside /api');
});

// ---- OpenAPI: the document describes what the service really answers ----

type Schema = Json & { $ref?: string; type?: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[] };

/** Checks a value against the subset of JSON Schema the document uses: $ref, type, required, properties, items, enum. */
function conformance(doc: Json, schema: Schema, value: unknown, path = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = ((doc.components as Json).schemas as Record<string, Schema>)[name];
    return target ? conformance(doc, target, value, path) : [`${path}: unresolved ${schema.$ref}`];
  }
  const problems: string[] = [];
  const type = schema.type;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (type === 'integer' ? !Number.isInteger(value) : type && type !== actual) return [`${path}: expected ${type}, got ${actual}`];
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (type === 'object') {
    const object = value as Json;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}: missing required ${key}`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in object) problems.push(...conformance(doc, sub, object[key], `${path}.${key}`));
    }
  }
  if (type === 'array' && schema.items) (value as unknown[]).forEach((item, i) => problems.push(...conformance(doc, schema.items!, item, `${path}[${i}]`)));
  return problems;
}

t.test('openapi.json documents the endpoint, and real answers conform to it', async (t) => {
  const { status, headers, body: doc } = await getJson(server.url, '/api/v1/openapi.json');
  t.equal(status, 200);
  t.match(headers.get('content-type'), /^application\/json/);
  t.equal(doc.openapi, '3.1.0');
  t.same(doc.servers, [{ url: server.url }]);
  const operation = ((doc.paths as Json)['/api/v1/settings'] as Json).get as Json;
  const params = operation.parameters as Json[];
  t.match(params.find((p) => p.name === 'email'), { in: 'query', required: true });
  t.match(params.find((p) => p.name === 'explain'), { in: 'query', required: false });
  const responses = operation.responses as Record<string, Json>;
  const schemaOf = (code: string) => ((responses[code]!.content as Json)['application/json'] as Json).schema as Schema;
  t.same(Object.keys(responses).sort(), ['200', '400', '404']);

  const checks: [string, string, string][] = [
    [server.url, '/api/v1/settings?email=alice%40posteo.de&explain=1', '200'],
    [server.url, '/api/v1/settings?email=someone%40gmail.com', '200'],
    [idnServer.url, `/api/v1/settings?email=${encodeURIComponent('jürgen@bücher.example')}`, '200'],
    [server.url, '/api/v1/settings?email=nope', '400'],
    [server.url, '/api/v1/settings', '400'],
    [server.url, '/api/v1/settings?email=a%40nowhere.example&explain=1', '404'],
  ];
  for (const [base, url, code] of checks) {
    const res = await getJson(base, url);
    t.equal(String(res.status), code, url);
    t.same(conformance(doc, schemaOf(code), res.body), [], url);
  }
  // The checker itself catches a missing required field and a wrong type.
  const good = (await getJson(server.url, '/api/v1/settings?email=alice%40posteo.de')).body;
  const { address: _dropped, ...withoutAddress } = good;
  t.match(conformance(doc, schemaOf('200'), withoutAddress), ['$: missing required address']);
  const badPort = { ...good, servers: [{ ...(good.servers as Json[])[0], port: '993' }] };
  t.match(conformance(doc, schemaOf('200'), badPort), [/servers\[0\]\.port: expected integer/]);
});
