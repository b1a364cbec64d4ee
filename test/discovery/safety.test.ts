// Discovery connects where strangers' DNS points: addresses outside the allowed networks are never connected to
// (a tripwire listens there), redirects are re-vetted, and every wait has a deadline.
import t from 'tap';
import { ConnectionLimiter } from '../../src/discovery/limiter.js';
import { stepLabel } from '../../src/settings/steps.js';
import { startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';
import { startTripwire } from '../helpers/tripwire.js';

const FORBIDDEN = '127.0.5.5';
/** The same address, IPv4-mapped (hex form: dns2 cannot encode the dotted one). */
const FORBIDDEN_MAPPED = '::ffff:7f00:505';
const STANDARD_PORTS = [25, 80, 110, 143, 443, 465, 587, 993, 995];

const world = await startWorld(
  {
    'trap.test': { A: [FORBIDDEN] },
    'imap.trap.test': { A: [FORBIDDEN] },
    'mail.trap.test': { AAAA: [FORBIDDEN_MAPPED] },
    'autoconfig.trap.test': { A: [FORBIDDEN] },
    '_imaps._tcp.trap.test': { SRV: [{ priority: 0, weight: 1, port: 993, target: 'evil.trap.test' }] },
    'evil.trap.test': { A: [FORBIDDEN] },
    'autoconfig.redir.test': { A: ['127.0.2.50'] },
    'evil.redir.test': { A: ['127.0.5.6'] },
    'autoconfig.redir2.test': { A: ['127.0.2.51'] },
    'files.redir2.test': { A: ['127.0.2.51'] },
    'imap.greet.test': { A: ['127.0.2.52'] },
    'pop3.slow.test': { A: ['127.0.2.53'] },
    '_imaps._tcp.slow.test': { SRV: [{ priority: 0, weight: 1, port: 993, target: 'box.slow.test' }] },
    'box.slow.test': { A: ['127.0.2.54'] },
  },
  ['trap.test', 'redir.test', 'redir2.test', 'greet.test', 'slow.test'],
);
t.teardown(() => world.close());

t.test('a target outside the allowed networks is never connected to', async (t) => {
  const tripwire = await startTripwire(FORBIDDEN);
  t.teardown(() => tripwire.close());
  for (const port of STANDARD_PORTS) {
    world.route(FORBIDDEN, port, tripwire.port);
    world.route(FORBIDDEN_MAPPED, port, tripwire.port);
  }
  const { config, steps } = await world.resolver({ autoconfigHttp: true }).resolve('trap.test');
  t.equal(config, undefined);
  t.same(tripwire.peers(), [], 'nothing connected to the tripwire');
  t.match(steps.find((s) => stepLabel(s) === 'host imap.trap.test'), { outcome: 'skipped', failure: 'not-allowed', subject: 'imap.trap.test', detail: /127\.0\.5\.5 refused \(127\.0\.5\.5 is loopback and not in MAILCONFIG_ALLOW_NETWORKS\)/ });
  t.match(steps.find((s) => stepLabel(s) === 'host mail.trap.test'), { outcome: 'skipped', detail: /::ffff:7f00:505 refused \(::ffff:7f00:505 is IPv4-mapped 127\.0\.5\.5 \(loopback\)/ });
  t.match(steps.find((s) => stepLabel(s) === 'host evil.trap.test'), { outcome: 'skipped' }, 'the SRV target too');
  t.match(steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'failed', failure: 'not-allowed', detail: /refused/ });
  t.match(steps.find((s) => stepLabel(s) === 'autoconfig-http'), { outcome: 'failed', detail: /refused/ });
});

t.test('redirects are followed a few times, to 443 only, and re-vetted', async (t) => {
  const tripwire = await startTripwire('127.0.5.6');
  t.teardown(() => tripwire.close());
  world.route('127.0.5.6', 443, tripwire.port);
  const file = clientConfigXml('redir2.test', [{ type: 'imap', host: 'imap.redir2.test', port: 993, socketType: 'SSL' }]);
  await world.web('127.0.2.50', { pem: world.pki.valid, routes: { '/mail/config-v1.1.xml': { status: 302, location: 'https://evil.redir.test/config.xml' } } });
  await world.web('127.0.2.51', {
    pem: world.pki.valid,
    routes: {
      'autoconfig.redir2.test/mail/config-v1.1.xml': { status: 301, location: 'https://files.redir2.test/mail.xml' },
      'files.redir2.test/mail.xml': file,
      'files.redir2.test/loop': { status: 302, location: '/loop' },
      'files.redir2.test/port': { status: 302, location: 'https://files.redir2.test:8443/mail.xml' },
    },
  });

  const refused = await world.resolver().resolve('redir.test');
  t.match(refused.steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'failed', detail: /evil\.redir\.test -> 127\.0\.5\.6 refused/ });
  t.same(tripwire.peers(), [], 'the redirect target was never connected to');

  const followed = await world.resolver().resolve('redir2.test');
  t.match(followed.config?.source, { kind: 'autoconfig', detail: 'https://files.redir2.test/mail.xml', evidence: { redirects: 1 } });

  const { fetchVetted } = await import('../../src/discovery/fetch.js');
  const { LookupDns } = await import('../../src/discovery/hosts.js');
  const { DnsClient } = await import('../../src/discovery/dns.js');
  const { createNetworkGuard } = await import('../../src/discovery/network-guard.js');
  const dns = new LookupDns(new DnsClient({ servers: [{ address: world.dns.address, port: world.dns.port }] }), createNetworkGuard(['127.0.2.0/24']));
  const options = { dns, ca: [world.pki.ca], mapPort: world.mapPort, timeoutMs: 2000 };
  t.match(await fetchVetted('https://files.redir2.test/loop', options), { ok: false, error: /more than 3 redirects/ });
  t.match(await fetchVetted('https://files.redir2.test/port', options), { ok: false, error: /refused port 8443/ });
  t.match(await fetchVetted('http://files.redir2.test/mail.xml', options), { ok: false, error: /https only/ });

  // Fetches go under the connection caps like probes: with one slot for that address, two fetches run one at a time.
  let calls = 0;
  let bothQueued = () => {};
  const queued = new Promise<void>((resolve) => (bothQueued = resolve));
  // Counts the fetches that reached the limiter (it admits or queues them at once, inside run).
  class CountingLimiter extends ConnectionLimiter {
    override run<T>(domain: string, fn: () => Promise<T>, signal?: AbortSignal, target?: string): Promise<T> {
      const running = super.run(domain, fn, signal, target);
      if (++calls === 2) bothQueued();
      return running;
    }
  }
  const limiter = new CountingLimiter({ global: 8, perDomain: 8, perTarget: 1 });
  const watched = { ...options, limiter, limitKey: 'redir2.test' };
  const both = Promise.all([fetchVetted('https://files.redir2.test/mail.xml', watched), fetchVetted('https://files.redir2.test/mail.xml', watched)]);
  await queued;
  const seen = [limiter.active, limiter.waiting];
  const results = await both;
  t.ok(results.every((r) => r.ok), 'both fetched');
  t.same(seen, [1, 1], 'one running, one waiting for the address');
  t.equal(limiter.active, 0, 'the slot is given back');
});

t.test('a server that accepts TCP and never greets costs one probe timeout, not the lookup', async (t) => {
  const silent = await world.imap('127.0.2.52', 993, { mode: 'tls', pem: world.pki.valid, neverGreet: true });
  const started = performance.now();
  const { config, steps } = await world.resolver({ probeTimeoutMs: 600 }).resolve('greet.test');
  const ms = performance.now() - started;
  t.equal(config, undefined);
  t.ok(silent.connections() >= 1, 'it was tried');
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.greet.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'timeout', server: { host: 'imap.greet.test', port: 993, protocol: 'imap', security: 'tls' }, detail: /no greeting within/ });
  t.ok(ms < 2500, `finished in ${Math.round(ms)} ms`);
});

t.test('a domain that does not exist ends the lookup at once', async (t) => {
  const started = performance.now();
  const { config, steps } = await world.resolver().resolve('nx.test');
  t.equal(config, undefined);
  t.match(steps.find((s) => stepLabel(s) === 'mx'), { outcome: 'nothing', detail: 'nx.test does not exist (NXDOMAIN)' });
  t.notOk(steps.some((s) => stepLabel(s).startsWith('probe ')), 'nothing probed');
  t.ok(performance.now() - started < 1500);
});

t.test('a DNS server that never answers: every query times out, the lookup ends by its deadline', async (t) => {
  const mute = await startWorld({}, ['mute.test'], { silent: true });
  t.teardown(() => mute.close());
  const started = performance.now();
  const { config, steps } = await mute.resolver({ dnsTimeoutMs: 400, lookupTimeoutMs: 1500 }).resolve('mute.test');
  const ms = performance.now() - started;
  t.equal(config, undefined);
  t.ok(ms < 2200, `answered after ${Math.round(ms)} ms`);
  t.match(steps.find((s) => stepLabel(s) === 'mx'), { outcome: 'failed', failure: 'timeout', detail: /MX mute\.test: no answer within 400 ms/ });
  t.match(steps.find((s) => stepLabel(s) === 'srv'), { outcome: 'failed' });
  t.ok(mute.dns.queries().length > 0, 'questions were sent to the fake server only');
});

t.test('at the deadline the lookup answers with what it has', async (t) => {
  await world.pop3('127.0.2.53', 995, { mode: 'tls', pem: world.pki.valid });
  await world.imap('127.0.2.54', 993, { mode: 'tls', pem: world.pki.valid, delayMs: 4000 });
  const started = performance.now();
  const { config, steps } = await world.resolver({ lookupTimeoutMs: 1200, probeTimeoutMs: 5000 }).resolve('slow.test');
  const ms = performance.now() - started;
  t.ok(ms < 2000, `answered after ${Math.round(ms)} ms`);
  t.match(config?.servers.find((s) => s.protocol === 'pop3'), { host: 'pop3.slow.test', source: { kind: 'probe' } }, 'what finished is used');
  t.match(config?.servers.find((s) => s.protocol === 'imap'), { host: 'box.slow.test', source: { kind: 'srv', confidence: 'low', evidence: { verified: false } }, warnings: [/not verified/] }, 'the SRV record, unconfirmed');
  t.match(steps.find((s) => stepLabel(s) === 'probe box.slow.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'timeout', detail: 'stopped at the lookup deadline (1200 ms)' });
});
