// Two instances of the service on one real redis-server and one fake network: B answers a domain A discovered
// without a DNS question or a probe of its own; a cold domain asked of both at once is looked up once; the rate limit
// and the discovery budget hold across both; Redis stopped mid-test: both keep answering, with one log line for the
// outage; Redis back: sharing resumes by itself.
import { once } from 'node:events';
import t from 'tap';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { SharedDiscoveryCache } from '../../src/discovery/shared-cache.js';
import type { DiscoveryResolver } from '../../src/discovery/resolver.js';
import { buildServer } from '../../src/http/server.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { SharedState } from '../../src/redis/shared-state.js';
import { startWorld } from '../helpers/discovery-world.js';
import { startRedis } from '../helpers/redis.js';
import { requireSystemProgram } from '../helpers/system-program.js';

const program = requireSystemProgram(t, 'redis-server', 'redis-server');
if (program) {
  const redis = await startRedis(program);
  t.teardown(() => redis.close());

  const domains = ['first.test', 'cold.test', 'outage.test', 'resumed.test'];
  const zone = Object.fromEntries(domains.map((domain, i) => [`imap.${domain}`, { A: [`127.0.3.${20 + i}`] }]));
  const world = await startWorld(zone, domains);
  t.teardown(() => world.close());
  const imap = await Promise.all(domains.map((_domain, i) => world.imap(`127.0.3.${20 + i}`, 993, { mode: 'tls', pem: world.pki.valid })));
  const connectionsToAll = () => imap.reduce((sum, server) => sum + server.connections(), 0);

  interface Instance {
    name: string;
    url: string;
    app: FastifyInstance;
    resolver: DiscoveryResolver;
    state: SharedState;
    logs: string[];
  }

  const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '12', MAILCONFIG_DISCOVERY_RATE_LIMIT: '0' }), host: '127.0.0.1', port: 0 };
  const { index } = await openProviderDatabase(config.providersDir);

  async function instance(name: string): Promise<Instance> {
    const logs: string[] = [];
    const state = new SharedState(redis.url, { info: (_o, message) => logs.push(`info ${message}`), warn: (_o, message) => logs.push(`warn ${message}`) });
    if (!state.available) await once(state.client, 'ready');
    const resolver = world.resolver({ shared: new SharedDiscoveryCache(state) }, [...index.entries()]);
    const app = await buildServer({ config, providers: new StaticProviderStore(index), resolver, shared: state });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    return { name, url: `http://127.0.0.1:${port}`, app, resolver, state, logs };
  }

  const a = await instance('A');
  const b = await instance('B');
  t.teardown(async () => {
    for (const i of [a, b]) {
      await i.app.close();
      await i.state.close();
    }
  });

  /** The IMAP host of a Thunderbird answer, with the status. */
  async function ask(i: Instance, domain: string): Promise<{ status: number; host: string | undefined; body: string }> {
    const response = await request(`${i.url}/mail/config-v1.1.xml?emailaddress=someone@${domain}`);
    const body = await response.body.text();
    return { status: response.statusCode, host: /<incomingServer type="imap">\s*<hostname>([^<]+)</.exec(body)?.[1], body };
  }

  t.test('B answers a domain A discovered without a DNS question or a probe of its own', async (t) => {
    const first = await ask(a, 'first.test');
    t.equal(first.status, 200);
    t.equal(first.host, 'imap.first.test');
    t.equal(a.resolver.lookups, 1);
    const queries = world.dns.queries().length;
    const connections = connectionsToAll();

    const second = await ask(b, 'first.test');
    t.equal(second.status, 200);
    t.equal(second.host, 'imap.first.test');
    t.equal(b.resolver.lookups, 0, 'B ran no lookup');
    t.equal(world.dns.queries().length, queries, 'no DNS question from B');
    t.equal(connectionsToAll(), connections, 'no probe from B');

    const explained = await b.resolver.resolve('first.test');
    t.match(explained.steps.find((s) => s.kind === 'cache'), { outcome: 'found', detail: /answered from the cache/ }, 'then from its own cache');
    const metrics = await (await request(`${b.url}/metrics`)).body.text();
    t.match(metrics, /mailconfig_discovery_cache_total\{cache="shared",result="hit"\} 1/, 'the shared hit is counted');
  });

  t.test('a cold domain asked of both instances at once is looked up once', async (t) => {
    const before = { a: a.resolver.lookups, b: b.resolver.lookups };
    const answers = await Promise.all([ask(a, 'cold.test'), ask(b, 'cold.test'), ask(a, 'cold.test'), ask(b, 'cold.test')]);
    t.same(answers.map((x) => x.host), Array(4).fill('imap.cold.test'));
    t.equal(a.resolver.lookups - before.a + (b.resolver.lookups - before.b), 1, 'one lookup across both instances');
    t.equal(world.dns.queries().filter((q) => q === 'MX cold.test').length, 1, 'the MX question asked once');
  });

  t.test('the rate limit holds across the instances', async (t) => {
    // 12 a minute per client; the tests above used some of them. Alternate until one of the two refuses.
    let refusedBy: string | undefined;
    let answered = 0;
    for (let n = 0; n < 20 && !refusedBy; n++) {
      const i = n % 2 === 0 ? a : b;
      const response = await request(`${i.url}/mail/config-v1.1.xml?emailaddress=someone@gmail.com`);
      await response.body.dump();
      if (response.statusCode === 429) refusedBy = i.name;
      else answered++;
    }
    t.ok(refusedBy, 'a request was refused');
    // The two subtests above made 6 counted requests (metrics are exempt): 12 in all, not 12 per instance.
    t.equal(answered, 6, 'the 13th request of the minute is refused, whichever instance it reaches');
  });

  t.test('Redis stopped: both keep answering, one log line for the outage; back: sharing resumes', async (t) => {
    // The counters the previous subtest spent live in Redis, which restarts empty (no persistence).
    await redis.stop();
    await Promise.all([a, b].map(async (i) => (i.state.available ? once(i.state.client, 'close') : undefined)));
    // Both instances' local limiters start empty: the same client gets answers while Redis is away.
    for (let n = 0; n < 3; n++) {
      t.equal((await ask(a, 'first.test')).host, 'imap.first.test', 'A answers a domain it cached');
      t.equal((await ask(b, 'first.test')).host, 'imap.first.test', 'B answers from its own cache');
    }
    const outage = await ask(a, 'outage.test');
    t.equal(outage.host, 'imap.outage.test', 'A discovers a new domain alone');
    const gmail = await request(`${b.url}/mail/config-v1.1.xml?emailaddress=someone@gmail.com`);
    t.equal(gmail.statusCode, 200, 'B answers from the database');
    await gmail.body.dump();
    for (const i of [a, b]) t.equal(i.logs.filter((line) => line.startsWith('warn Redis')).length, 1, `${i.name}: one line for the outage, not one per request`);

    await redis.start();
    await Promise.all([a, b].map(async (i) => (i.state.available ? undefined : once(i.state.client, 'ready'))));
    for (const i of [a, b]) t.match(i.logs.at(-1), /^info Redis answers again/, `${i.name}: one line when it is back`);
    const resumedA = await ask(a, 'resumed.test');
    t.equal(resumedA.host, 'imap.resumed.test');
    const lookups = b.resolver.lookups;
    const resumedB = await ask(b, 'resumed.test');
    t.equal(resumedB.host, 'imap.resumed.test');
    t.equal(b.resolver.lookups, lookups, 'B answered it from Redis again');
  });
}
