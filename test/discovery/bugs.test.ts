// Discovery never swallows a bug: anything a step throws that is not an expected failure is logged with its stack
// (without the asker's address), counted in mailconfig_discovery_errors_total, and the step shows it broke; the
// other steps still run.
import t from 'tap';
import { DnsClient, type Resolver } from '../../src/discovery/dns.js';
import type { DiscoveryLogger } from '../../src/discovery/bugs.js';
import { DiscoveryResolver } from '../../src/discovery/resolver.js';
import type { ConnectionLimiter } from '../../src/discovery/limiter.js';
import { parseAddress } from '../../src/settings/address.js';
import { startWorld } from '../helpers/discovery-world.js';
import { startTestServer } from '../helpers/server.js';

const world = await startWorld(
  {
    'imap.bug.test': { A: ['127.0.3.60'] },
    'imap.probebug.test': { A: ['127.0.3.61'] },
  },
  ['bug.test', 'probebug.test'],
);
t.teardown(() => world.close());

/** The world's DNS, except that an MX question for bug.test hits a programming error (as a bug would). */
function buggyDns(): Resolver {
  const real = new DnsClient({ servers: [{ address: world.dns.address, port: world.dns.port }], timeoutMs: 1000 });
  return {
    query(name, type, signal) {
      if (type === 'MX' && name === 'bug.test') return Promise.reject(new TypeError('cannot read properties of undefined (asked for bob@bug.test)'));
      return real.query(name, type, signal);
    },
  };
}

function capture(): { logger: DiscoveryLogger; lines: { obj: Record<string, unknown>; msg: string }[] } {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { logger: { error: (obj, msg) => void lines.push({ obj, msg }) }, lines };
}

t.test('a bug in a step: logged with its stack, no address, the step marked internal, the lookup goes on', async (t) => {
  await world.imap('127.0.3.60', 993, { mode: 'tls', pem: world.pki.valid });
  const { logger, lines } = capture();
  const resolver = world.resolver({ dns: buggyDns(), logger });
  const { config, steps } = await resolver.resolve('bug.test', parseAddress('bob@bug.test'));
  t.equal(config?.servers[0]?.host, 'imap.bug.test', 'probing still found the server');
  t.match(steps.find((s) => s.kind === 'mx'), { outcome: 'failed', failure: 'internal', detail: 'internal error (logged)' });
  t.equal(resolver.bugs.count, 1);
  t.equal(lines.length, 1, 'one log line');
  t.match(lines[0], { msg: 'discovery bug in step mx', obj: { step: 'mx', domain: 'bug.test', err: { type: 'TypeError', stack: /TypeError: cannot read properties[\s\S]*at / } } });
  t.notOk(JSON.stringify(lines).includes('bob@bug.test'), 'the address is not logged');
  t.ok(JSON.stringify(lines).includes('%EMAILADDRESS%'), 'it is replaced by its placeholder');
});

t.test('a bug under a probe: the try is marked internal and reported, not taken for a cancellation', async (t) => {
  const { logger, lines } = capture();
  const broken = { run: () => Promise.reject(new RangeError('slot count went negative')) } as unknown as ConnectionLimiter;
  const resolver = world.resolver({ limiter: broken, logger });
  const { steps } = await resolver.resolve('probebug.test');
  const probes = steps.filter((s) => s.kind === 'probe');
  t.ok(probes.length > 0, 'probes were tried');
  t.ok(probes.every((s) => s.outcome === 'failed' && s.failure === 'internal'), 'every try shows it broke');
  t.equal(resolver.bugs.count, probes.length, 'each one reported');
  t.match(lines[0], { obj: { step: 'probe', err: { type: 'RangeError', message: 'slot count went negative' } } });
});

t.test('bugs are counted in the service metrics and the API shows the broken step', async (t) => {
  const server = await startTestServer({ resolver: (store) => new DiscoveryResolver(store, world.options({ dns: buggyDns(), logger: capture().logger })) });
  t.teardown(() => server.close());
  const before = await (await fetch(`${server.url}/metrics`)).text();
  t.match(before, /# TYPE mailconfig_discovery_errors_total counter/);
  t.notMatch(before, /mailconfig_discovery_errors_total\{/, 'no bug yet');
  const res = await fetch(`${server.url}/api/v1/settings?email=bob%40bug.test&explain=1`);
  const body = (await res.json()) as { steps: { kind: string; failure?: string; text: string }[] };
  t.match(body.steps.find((s) => s.kind === 'mx'), { failure: 'internal', text: 'mx: failed: internal error (logged)' });
  const after = await (await fetch(`${server.url}/metrics`)).text();
  t.match(after, /mailconfig_discovery_errors_total\{step="mx"\} 1\n/);
});
