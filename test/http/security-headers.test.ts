import t from 'tap';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { BASE, FAMILY, FAMILY_HEADERS, helmetHeaders } from '../../src/http/security-headers.js';
import type { RouteFamily } from '../../src/http/errors.js';

/** What @fastify/helmet itself sets on a route with `config`: the headers the precomputed ones must equal. */
async function fastifyHelmetHeaders(config: (typeof FAMILY)[RouteFamily]): Promise<Record<string, string>> {
  const app = Fastify();
  await app.register(helmet, { ...BASE, global: true });
  app.get('/x', { helmet: config }, async () => 'x');
  const plain = Fastify();
  plain.get('/x', async () => 'x');
  const [withHelmet, without] = await Promise.all([app.inject('/x'), plain.inject('/x')]);
  await Promise.all([app.close(), plain.close()]);
  const added: Record<string, string> = {};
  for (const [name, value] of Object.entries(withHelmet.headers)) if (!(name in without.headers)) added[name] = String(value);
  return added;
}

t.test('each family gets exactly the headers @fastify/helmet would set for its configuration', async (t) => {
  for (const family of Object.keys(FAMILY) as RouteFamily[]) {
    t.same(FAMILY_HEADERS[family], await fastifyHelmetHeaders(FAMILY[family]), family);
  }
  t.equal(FAMILY_HEADERS.pages['x-frame-options'], 'DENY');
  t.equal(FAMILY_HEADERS.pages['content-security-policy'], undefined, 'pages set their own CSP');
  t.equal(FAMILY_HEADERS.api['cross-origin-resource-policy'], 'cross-origin');
  t.equal(helmetHeaders(BASE)['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
});

t.test('the service sends the family headers on answers, errors and unknown paths', async (t) => {
  const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '0' }), host: '127.0.0.1', port: 0 };
  const store = new StaticProviderStore((await openProviderDatabase(config.providersDir)).index);
  const app = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const cases: [string, RouteFamily, number][] = [
    ['/mail/config-v1.1.xml?emailaddress=a@posteo.de', 'thunderbird', 200],
    ['/mail/config-v1.1.xml?emailaddress=nobody', 'thunderbird', 400],
    ['/mobileconfig?emailaddress=a@posteo.de', 'apple', 200],
    ['/api/v1/settings?email=a@posteo.de', 'api', 200],
    ['/autodiscover/autodiscover.xml?email=a@posteo.de', 'autodiscover', 200],
    ['/', 'pages', 200],
    ['/healthz', 'json', 200],
    ['/nope', 'other', 404],
  ];
  for (const [path, family, status] of cases) {
    const res = await fetch(`${url}${path}`);
    t.equal(res.status, status, path);
    for (const [name, value] of Object.entries(FAMILY_HEADERS[family])) t.equal(res.headers.get(name), value, `${path}: ${name}`);
    t.equal(res.headers.get('strict-transport-security'), null, `${path}: no HSTS over http`);
    await res.arrayBuffer();
  }
});
