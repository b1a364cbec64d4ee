// The JSON API's new fields (OAuth2 client id, passwords allowed, URL services, logos, links, SASL) and
// /api/v1/dns, checked against the OpenAPI document the service serves.
import t from 'tap';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { copyProviders } from '../helpers/providers.js';
import { startTestServer } from '../helpers/server.js';

type Json = Record<string, unknown>;
type Schema = Json & { $ref?: string; type?: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[] };

const dir = await copyProviders(t);
await copyFile(join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml'), join(dir, 'modern.example.xml'));
const server = await startTestServer({ env: { MAILCONFIG_PROVIDERS: dir } });
t.teardown(() => server.close());

async function get(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as Json };
}

/** The subset of JSON Schema the document uses: $ref, type, required, properties, items, enum. */
function conformance(doc: Json, schema: Schema, value: unknown, path = '$'): string[] {
  if (schema.$ref) {
    const target = ((doc.components as Json).schemas as Record<string, Schema>)[schema.$ref.replace('#/components/schemas/', '')];
    return target ? conformance(doc, target, value, path) : [`${path}: unresolved ${schema.$ref}`];
  }
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (schema.type === 'integer' ? !Number.isInteger(value) : schema.type && schema.type !== actual) return [`${path}: expected ${schema.type}, got ${actual}`];
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.type === 'object') {
    const object = value as Json;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}: missing required ${key}`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) if (key in object) problems.push(...conformance(doc, sub, object[key], `${path}.${key}`));
  }
  if (schema.type === 'array' && schema.items) (value as unknown[]).forEach((item, i) => problems.push(...conformance(doc, schema.items!, item, `${path}[${i}]`)));
  return problems;
}

t.test('settings for a 1.2 provider carry every new fact, placeholders filled', async (t) => {
  const { status, body } = await get('/api/v1/settings?email=alice%40modern.example');
  t.equal(status, 200);
  const provider = body.provider as Json;
  t.match(provider, {
    oauth2: { issuer: 'https://login.modern.example', clientId: 'modern-public-client' },
    passwordsAllowed: true,
    helpUrl: 'https://help.modern.example/mail',
    developerUrl: 'https://developer.modern.example/',
    contacts: ['mailto:postmaster@modern.example'],
    logos: [{ url: 'https://modern.example/logo.svg', contentType: 'image/svg+xml' }, { contentType: 'image/png', width: 64, height: 64 }],
    displayShortName: 'Modern',
  });
  t.notOk('clientSecret' in (provider.oauth2 as Json));
  t.same((body.services as Json[]).map((s) => [s.protocol, s.url, s.username, s.auth]), [
    ['jmap', 'https://jmap.modern.example/.well-known/jmap', 'alice@modern.example', ['OAuth2', 'Basic']],
    ['caldav', 'https://dav.modern.example/caldav/', 'alice@modern.example', ['OAuth2', 'Basic']],
    ['carddav', 'https://dav.modern.example/carddav/', 'alice@modern.example', ['Digest']],
    ['webdav', 'https://files.modern.example/remote.php/webdav/', 'alice@modern.example', ['Basic']],
  ]);
  t.same((body.servers as Json[])[0]?.sasl, ['SCRAM-SHA-256-PLUS']);
  const posteo = await get('/api/v1/settings?email=alice%40posteo.de');
  t.same(posteo.body.services, [], 'a 1.1 provider: no services');
  t.equal((posteo.body.provider as Json).passwordsAllowed, true);
});

t.test('the OpenAPI document describes the new fields and /api/v1/dns, and real answers conform', async (t) => {
  const { body: doc } = await get('/api/v1/openapi.json');
  const paths = doc.paths as Record<string, Json>;
  const schemaOf = (path: string, code: string) => ((((paths[path]!.get as Json).responses as Record<string, Json>)[code]!.content as Json)['application/json'] as Json).schema as Schema;
  t.ok(paths['/api/v1/dns'], '/api/v1/dns is documented');
  const checks: [string, string, string][] = [
    ['/api/v1/settings', '/api/v1/settings?email=alice%40modern.example', '200'],
    ['/api/v1/settings', '/api/v1/settings?email=alice%40posteo.de', '200'],
    ['/api/v1/dns', '/api/v1/dns?domain=modern.example', '200'],
    ['/api/v1/dns', '/api/v1/dns?domain=posteo.de', '200'],
    ['/api/v1/dns', '/api/v1/dns', '400'],
    ['/api/v1/dns', '/api/v1/dns?domain=-bad-', '400'],
    ['/api/v1/dns', '/api/v1/dns?domain=unknown.example', '404'],
  ];
  for (const [path, url, code] of checks) {
    const res = await get(url);
    t.equal(String(res.status), code, url);
    t.same(conformance(doc, schemaOf(path, code), res.body), [], url);
  }
  const good = (await get('/api/v1/settings?email=alice%40modern.example')).body;
  const { services: _dropped, ...withoutServices } = good;
  t.match(conformance(doc, schemaOf('/api/v1/settings', '200'), withoutServices), ['$: missing required services'], 'the checker catches a missing field');
});
