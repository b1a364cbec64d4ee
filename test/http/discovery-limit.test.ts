// One client cannot starve discovery for the others: each client address has at most 4 lookups running and 8
// waiting; beyond that it gets 429 with Retry-After at once, while another client's cold lookup starts right away.
// And the per-minute discovery budget counts only requests that start a discovery.
import t from 'tap';
import { request } from 'undici';
import type { EmailAddress } from '../../src/settings/address.js';
import type { Resolution, SettingsResolver } from '../../src/settings/resolver.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import type { StaticProviderStore } from '../../src/providers/store.js';
import { startTestServer } from '../helpers/server.js';

/** A resolver whose discoveries wait until the test lets them finish; database domains answer at once. */
class HeldResolver implements SettingsResolver {
  readonly started: string[] = [];
  private readonly held: (() => void)[] = [];
  private readonly database: DatabaseResolver;
  private onStart = () => {};
  constructor(store: StaticProviderStore) {
    this.database = new DatabaseResolver(store);
  }
  needsDiscovery(domain: string): boolean {
    return !domain.endsWith('gmail.com');
  }
  async resolve(domain: string, address?: EmailAddress): Promise<Resolution> {
    if (!this.needsDiscovery(domain)) return this.database.resolve(domain, address);
    this.started.push(domain);
    this.onStart();
    await new Promise<void>((resolve) => this.held.push(resolve));
    return { steps: [] };
  }
  /** Resolves once `count` discoveries have started. */
  async startedCount(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((resolve) => (this.onStart = resolve));
  }
  releaseOne(): void {
    this.held.shift()?.();
  }
  releaseAll(): void {
    for (const release of this.held.splice(0)) release();
  }
}

t.test('a client gets 4 lookups running and 8 waiting; others are not held up', async (t) => {
  let resolver: HeldResolver | undefined;
  const server = await startTestServer({
    env: { MAILCONFIG_TRUST_PROXY: 'on', MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY_RATE_LIMIT: '0' },
    resolver: (store) => (resolver = new HeldResolver(store)),
  });
  t.teardown(() => server.close());
  const held = resolver!;
  const ask = (client: string, domain: string) =>
    request(`${server.url}/mail/config-v1.1.xml?emailaddress=someone@${domain}`, { headers: { 'x-forwarded-for': client } }).then(async (response) => ({
      status: response.statusCode,
      retryAfter: response.headers['retry-after'],
      body: await response.body.text(),
    }));

  const attacker = Array.from({ length: 12 }, (_, i) => ask('192.0.2.1', `slow${i}.example`));
  await held.startedCount(4);
  t.equal(held.started.length, 4, 'four of its lookups run');
  const refused = await ask('192.0.2.1', 'slow-more.example');
  t.equal(refused.status, 429, 'the 13th is refused at once');
  t.equal(refused.retryAfter, '1');
  t.match(refused.body, /lookups of unknown domains are already running for this address/);
  t.notMatch(refused.body, /slow-more/, 'the domain is not echoed');

  const victim = ask('192.0.2.2', 'victim.example');
  await held.startedCount(5);
  t.equal(held.started.at(-1), 'victim.example', "another client's lookup starts while the first client's wait");
  const database = await ask('192.0.2.1', 'gmail.com');
  t.equal(database.status, 200, 'database answers need no share');

  held.releaseOne();
  await held.startedCount(6);
  t.match(held.started.at(-1), /^slow\d+\.example$/, 'a waiting lookup starts when one of the four ends');
  held.releaseAll();
  while (held.started.length < 13) {
    await held.startedCount(held.started.length + 1);
    held.releaseAll();
  }
  const answers = await Promise.all([...attacker, victim]);
  t.same(answers.map((a) => a.status), Array(13).fill(404), 'every admitted lookup got its answer');
});

t.test('the per-minute discovery budget counts only requests that start a discovery', async (t) => {
  let resolver: HeldResolver | undefined;
  const server = await startTestServer({
    env: { MAILCONFIG_TRUST_PROXY: 'on', MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY_RATE_LIMIT: '3' },
    resolver: (store) => (resolver = new HeldResolver(store)),
  });
  t.teardown(() => server.close());
  const held = resolver!;
  const ask = async (domain: string) => {
    const pending = request(`${server.url}/mail/config-v1.1.xml?emailaddress=someone@${domain}`, { headers: { 'x-forwarded-for': '192.0.2.9' } });
    if (!domain.endsWith('gmail.com')) {
      const before = held.started.length;
      void pending.catch(() => undefined);
      await Promise.race([held.startedCount(before + 1), pending]);
      held.releaseAll();
    }
    const response = await pending;
    await response.body.dump();
    return response.statusCode;
  };
  for (let i = 0; i < 5; i++) t.equal(await ask('gmail.com'), 200, 'database answers are not counted');
  for (let i = 0; i < 3; i++) t.equal(await ask(`new${i}.example`), 404);
  t.equal(await ask('new3.example'), 429, 'the 4th discovery of the minute is refused');
  t.equal(await ask('gmail.com'), 200, 'the database still answers');
});
