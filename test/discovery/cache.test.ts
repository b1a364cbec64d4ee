// The discovery cache: a second request costs no network, concurrent requests share one lookup, answers live for
// their DNS TTL clamped to 1 h - 24 h (negative 5 - 15 min), expired answers are served while a refresh runs, and a
// refresh that fails keeps the old answer.
import t from 'tap';
import { stepLabel } from '../../src/settings/steps.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiscoveryResolver } from '../../src/discovery/resolver.js';
import type { Resolution } from '../../src/settings/resolver.js';
import { providerEntry, startWorld } from '../helpers/discovery-world.js';

const world = await startWorld(
  {
    'imap.cached.test': { A: ['127.0.3.10'] },
    'imap.shared.test': { A: ['127.0.3.11'] },
    'imap.ttl.test': { A: ['127.0.3.12'] },
  },
  ['cached.test', 'shared.test', 'ttl.test'],
);
t.teardown(() => world.close());

/** The step that says the answer came from the cache, if it did. */
const cacheStep = (resolution: Resolution) => resolution.steps.find((s) => s.kind === 'cache');

const HOUR = 3600_000;
const MINUTE = 60_000;

/** Resolves until the answer no longer comes from a refresh in progress (the background lookup finished). */
async function settled(resolver: DiscoveryResolver, domain: string) {
  for (let i = 0; i < 100; i++) {
    const resolution = await resolver.resolve(domain);
    if (!cacheStep(resolution)?.detail.includes('refreshing')) return resolution;
    await sleep(50);
  }
  throw new Error('the refresh never finished');
}

t.test('a second request for a discovered domain costs no network at all', async (t) => {
  const imap = await world.imap('127.0.3.10', 993, { mode: 'tls', pem: world.pki.valid });
  const resolver = world.resolver();
  const first = await resolver.resolve('cached.test');
  t.equal(first.config?.servers[0]?.host, 'imap.cached.test');
  const queries = world.dns.queries().length;
  const connections = imap.connections();
  t.ok(queries > 0 && connections > 0, 'the first lookup used the network');

  const second = await resolver.resolve('cached.test');
  t.equal(world.dns.queries().length, queries, 'no DNS question');
  t.equal(imap.connections(), connections, 'no connection');
  t.same(second.config, first.config);
  t.match(first.steps[0], { kind: 'database', outcome: 'nothing' }, 'the database is asked first');
  t.equal(first.steps.filter((s) => s.kind === 'database').length, 1, 'and once: the pipeline does not ask it again');
  t.match(second.steps.slice(0, 2), [{ kind: 'database', outcome: 'nothing' }, { kind: 'cache', outcome: 'found', detail: /answered from the cache \(cached; looked up \d+ s ago\)/ }]);
  t.same(second.steps.slice(2), first.steps.slice(1), 'explain still shows how it was found');

  const missing = await resolver.resolve('gone.test');
  t.equal(missing.config, undefined);
  const after = world.dns.queries().length;
  t.match(cacheStep(await resolver.resolve('gone.test')), { kind: 'cache', outcome: 'nothing' });
  t.equal(world.dns.queries().length, after, 'a negative answer is cached too');
  t.equal(resolver.lookups, 2);
});

t.test('concurrent requests for one domain share one lookup', async (t) => {
  await world.imap('127.0.3.11', 993, { mode: 'tls', pem: world.pki.valid });
  const resolver = world.resolver();
  const before = world.dns.queries().length;
  const results = await Promise.all(Array.from({ length: 8 }, () => resolver.resolve('shared.test')));
  t.equal(resolver.lookups, 1, 'one lookup');
  t.ok(results.every((r) => r.config?.servers[0]?.host === 'imap.shared.test'), 'every request got the answer');
  t.equal(world.dns.queries().slice(before).filter((q) => q === 'MX shared.test').length, 1, 'each question asked once');
  t.equal(results.filter((r) => cacheStep(r)).length, 7, 'seven joined the running lookup');
});

t.test('TTL clamped to at least an hour; expired answers served while refreshing; a failed refresh keeps the old answer', async (t) => {
  const imap = await world.imap('127.0.3.12', 993, { mode: 'tls', pem: world.pki.valid });
  let now = 1_000_000;
  const resolver = world.resolver({ cache: { now: () => now } });
  const first = await resolver.resolve('ttl.test');
  t.ok(first.config, 'found');

  now += HOUR - MINUTE; // the records say 300 s; the cache keeps them an hour
  t.match(cacheStep(await resolver.resolve('ttl.test')), { detail: /\(cached;/ });
  t.equal(resolver.lookups, 1);

  await imap.close(); // the server goes away: the refresh will fail
  now += 2 * MINUTE;
  const stale = await resolver.resolve('ttl.test');
  t.match(cacheStep(stale), { detail: /expired, refreshing in the background/ }, 'answered at once from the old entry');
  t.same(stale.config, first.config);

  const kept = await settled(resolver, 'ttl.test');
  t.equal(resolver.lookups, 2, 'the refresh ran');
  t.same(kept.config, first.config, 'the failed refresh kept the old answer');
});

t.test('negative answers live 5 to 15 minutes, positive ones at most a day', async (t) => {
  let now = 5_000_000;
  const negative = world.resolver({ cache: { now: () => now } });
  await negative.resolve('nobody.test');
  now += 5 * MINUTE - 1000;
  await negative.resolve('nobody.test');
  t.equal(negative.lookups, 1, 'still cached before 5 minutes (the SOA says 300 s)');
  now += 2000;
  await settled(negative, 'nobody.test');
  t.equal(negative.lookups, 2, 'looked up again after 5 minutes');

  const longLived = await startWorld({ 'customer.test': { MX: [{ exchange: 'mx.hoster.test', priority: 10 }] } }, ['hoster.test'], { ttl: 7 * 24 * 3600 });
  t.teardown(() => longLived.close());
  const hoster = providerEntry(
    'hoster.test.xml',
    '<clientConfig><emailProvider id="hoster.test"><domain>hoster.test</domain><incomingServer type="imap"><hostname>imap.hoster.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer></emailProvider></clientConfig>',
  );
  const positive = longLived.resolver({ cache: { now: () => now } }, [hoster]);
  t.ok((await positive.resolve('customer.test')).config);
  now += 24 * HOUR - MINUTE;
  await positive.resolve('customer.test');
  t.equal(positive.lookups, 1, 'a week-long TTL is kept for a day');
  now += 2 * MINUTE;
  await settled(positive, 'customer.test');
  t.equal(positive.lookups, 2, 'and no longer');
});

t.test('the provider database answers without the cache or any network', async (t) => {
  const resolver = world.resolver({}, [providerEntry('db.test.xml', '<clientConfig><emailProvider id="db.test"><domain>db.test</domain><incomingServer type="imap"><hostname>imap.db.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer></emailProvider></clientConfig>')]);
  const before = world.dns.queries().length;
  const { config, steps } = await resolver.resolve('db.test');
  t.equal(config?.servers[0]?.host, 'imap.db.test');
  t.same(steps.map((s) => `${stepLabel(s)}:${s.outcome}`), ['database:found']);
  t.equal(world.dns.queries().length, before);
  t.equal(resolver.cached, 0);
});

t.test('lookups running at once are capped; the others wait their turn', { timeout: 20_000 }, async (t) => {
  let running = 0;
  let most = 0;
  let started = 0;
  const held: (() => void)[] = [];
  const domains = ['a.capped.test', 'b.capped.test', 'c.capped.test', 'd.capped.test', 'e.capped.test'];
  // A DNS that holds each lookup's first question (MX) until a second lookup is in flight too (or no other can
  // come), then lets both answer "no such name". So the cap of 2 must be reached for the lookups to finish: a
  // limiter that runs one at a time stalls here, and the test fails on its timeout.
  const resolver = world.resolver({
    maxLookups: 2,
    dns: {
      async query(name, type) {
        if (type === 'MX') {
          running++;
          started++;
          most = Math.max(most, running);
          await new Promise<void>((release) => {
            held.push(release);
            if (held.length === 2 || started === domains.length) held.splice(0).forEach((go) => go());
          });
          running--;
        }
        return { name, type, nxdomain: true, records: [], cnames: [], tcp: false };
      },
    },
  });
  const results = await Promise.all(domains.map((d) => resolver.resolve(d)));
  t.equal(results.filter((r) => r.config === undefined).length, 5, 'every lookup finished');
  t.equal(resolver.lookups, 5);
  t.equal(most, 2, `2 lookups ran at once, and never more (saw ${most})`);
});
