// Where discovered settings come from: the domain's autoconfig file (both URLs, https and the http option),
// MX to the provider database and to the MX domain's autoconfig, and RFC 6186 SRV records confirmed by probes.
import t from 'tap';
import { stepLabel } from '../../src/settings/steps.js';
import { parseAddress } from '../../src/settings/address.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { providerEntry, startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';

const DOMAINS = ['srv.test', 'dot.test', 'ac.test', 'wk.test', 'customer.test', 'hoster.test', 'mailcluster.test', 'customer2.test', 'hoster2.test', 'plain.test', 'broken.test', 'big.test', 'asked.test'];

const world = await startWorld(
  {
    // SRV only: the target is not a name anyone would guess.
    '_imaps._tcp.srv.test': { SRV: [{ priority: 0, weight: 1, port: 993, target: 'box.srv.test' }] },
    '_submission._tcp.srv.test': { SRV: [{ priority: 0, weight: 1, port: 587, target: 'box.srv.test' }] },
    '_pop3s._tcp.srv.test': { SRV: [{ priority: 0, weight: 1, port: 8995, target: 'box.srv.test' }] },
    'box.srv.test': { A: ['127.0.2.10'] },
    // SRV "." : IMAP over implicit TLS is explicitly not offered, IMAP with STARTTLS is.
    '_imaps._tcp.dot.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
    '_imap._tcp.dot.test': { SRV: [{ priority: 0, weight: 1, port: 143, target: 'box.dot.test' }] },
    'box.dot.test': { A: ['127.0.2.11'] },
    'imap.dot.test': { A: ['127.0.2.12'] },
    // The domain's own autoconfig host, and the well-known URL on the domain itself.
    'autoconfig.ac.test': { A: ['127.0.2.20'] },
    'wk.test': { A: ['127.0.2.21'] },
    // MX into the provider database (by a purpose="mx" domain) and into the MX domain's autoconfig host.
    'customer.test': { MX: [{ exchange: 'mx2.mailcluster.test', priority: 20 }, { exchange: 'mx1.mailcluster.test', priority: 10 }] },
    'customer2.test': { MX: [{ exchange: 'in.mx.hoster2.test', priority: 10 }] },
    'autoconfig.hoster2.test': { A: ['127.0.2.22'] },
    // Only plain http; the second domain is also hosted by a database provider.
    'autoconfig.plain.test': { A: ['127.0.2.23'] },
    'autoconfig.plainmx.test': { A: ['127.0.2.26'] },
    'plainmx.test': { MX: [{ exchange: 'mx1.mailcluster.test', priority: 10 }] },
    // Files that must be refused.
    'autoconfig.broken.test': { A: ['127.0.2.24'] },
    'autoconfig.big.test': { A: ['127.0.2.25'] },
    // A file that only redirects (to plain http, refused), keeping the query with the address.
    'autoconfig.asked.test': { A: ['127.0.2.27'] },
  },
  DOMAINS,
);
t.teardown(() => world.close());

const hoster = providerEntry(
  'hoster.test.xml',
  `<clientConfig version="1.1"><emailProvider id="hoster.test">
  <domain>hoster.test</domain><domain purpose="mx">mailcluster.test</domain>
  <displayName>Hoster</displayName>
  <incomingServer type="imap"><hostname>imap.hoster.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.hoster.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider></clientConfig>`,
);

const byProtocol = (servers: ServerSettings[] | undefined, protocol: string) => (servers ?? []).filter((s) => s.protocol === protocol);

t.test('SRV only: targets confirmed by a probe, with the record as evidence', async (t) => {
  const imap = await world.imap('127.0.2.10', 993, { mode: 'tls', pem: world.pki.valid });
  const smtp = await world.smtp('127.0.2.10', 587, { mode: 'starttls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('srv.test', parseAddress('alice@srv.test'));
  t.ok(config, 'settings found');
  const [best] = byProtocol(config?.servers, 'imap');
  t.match(best, { host: 'box.srv.test', port: 993, security: 'tls', source: { kind: 'srv', confidence: 'medium', detail: '_imaps._tcp.srv.test SRV 0 1 993 box.srv.test' } });
  t.match(best?.source.evidence, { verified: true, probe: 'ok', tlsVersion: /^TLSv1\.[23]$/, certificate: { trusted: true, nameMatches: true } });
  t.match(byProtocol(config?.servers, 'smtp')[0], { host: 'box.srv.test', port: 587, security: 'starttls', source: { kind: 'srv' } });
  t.equal(byProtocol(config?.servers, 'pop3').length, 0, 'an SRV record naming a non-mail port is not followed');
  t.match(steps.find((s) => stepLabel(s) === 'srv')?.detail, /port 8995 is not a mail port/);
  t.ok(imap.connections() >= 1 && smtp.connections() >= 1);
});

t.test('SRV target "." means not offered: not used and not guessed either', async (t) => {
  const srvTarget = await world.imap('127.0.2.11', 143, { mode: 'starttls', pem: world.pki.valid });
  const guessed = await world.imap('127.0.2.12', 993, { mode: 'tls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('dot.test');
  t.same(byProtocol(config?.servers, 'imap').map((s) => `${s.host}:${s.port}:${s.security}:${s.source.kind}`), ['box.dot.test:143:starttls:srv']);
  t.equal(guessed.connections(), 0, 'imap.dot.test:993 was never probed');
  t.ok(srvTarget.connections() >= 1);
  t.match(steps.find((s) => stepLabel(s) === 'srv')?.detail, /_imaps\._tcp: not offered/);
});

t.test("the domain's autoconfig host answers (https, address restored to its placeholder)", async (t) => {
  const web = await world.web('127.0.2.20', {
    pem: world.pki.valid,
    routes: { '/mail/config-v1.1.xml': clientConfigXml('ac.test', [{ type: 'imap', host: 'imap.ac.test', port: 993, socketType: 'SSL', username: 'alice@ac.test' }, { type: 'smtp', host: 'smtp.ac.test', port: 465, socketType: 'SSL' }]) },
  });
  const { config, steps } = await world.resolver().resolve('ac.test', parseAddress('alice@ac.test'));
  t.match(config?.source, { kind: 'autoconfig', confidence: 'high', detail: 'https://autoconfig.ac.test/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%' });
  t.match(config?.servers[0], { host: 'imap.ac.test', username: '%EMAILADDRESS%', source: { kind: 'autoconfig', evidence: { https: true, address: '127.0.2.20', tlsVersion: /^TLSv1\.[23]$/ } } });
  t.same(web.requests(), ['autoconfig.ac.test/mail/config-v1.1.xml?emailaddress=alice%40ac.test'], 'asked once, with the name in Host');
  t.equal(steps.find((s) => stepLabel(s) === 'autoconfig')?.outcome, 'found');
  t.notOk(steps.some((s) => stepLabel(s).startsWith('probe ') && s.outcome === 'found'), 'a better source ends the lookup');
});

t.test("the answer is cached for the whole domain: neither its provenance nor its steps name the first person's address", async (t) => {
  await world.web('127.0.2.27', {
    pem: world.pki.valid,
    routes: { '/mail/config-v1.1.xml': { status: 302, location: "http://autoconfig.asked.test/mail/config-v1.1.xml?emailaddress=o'hara%40asked.test" } },
  });
  const resolver = world.resolver();
  // ac.test serves the file of the test above.
  const first = await resolver.resolve('ac.test', parseAddress('carol@ac.test'));
  t.ok(first.config, 'found');
  const later = await resolver.resolve('ac.test', parseAddress('dave@ac.test'));
  t.match(later.steps.slice(0, 2), [{ kind: 'database', outcome: 'nothing' }, { kind: 'cache', outcome: 'found' }]);
  t.notMatch(JSON.stringify(later), /carol/i, "dave's answer does not name carol");
  t.match(later.config?.servers[0]?.source.evidence, { url: 'https://autoconfig.ac.test/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%', hops: [{ url: 'https://autoconfig.ac.test/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%' }] });

  await resolver.resolve('asked.test', parseAddress("o'hara@asked.test"));
  const other = await resolver.resolve('asked.test', parseAddress('erin@asked.test'));
  t.match(other.steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'failed', detail: /refused http:\/\/ URL .*emailaddress=%EMAILADDRESS%/ });
  t.notMatch(JSON.stringify(other), /hara/i, "erin's answer does not name o'hara, however the URL spelled the address");
});

t.test('the well-known URL on the domain itself answers', async (t) => {
  await world.web('127.0.2.21', {
    pem: world.pki.valid,
    routes: { '/.well-known/autoconfig/mail/config-v1.1.xml': clientConfigXml('wk.test', [{ type: 'pop3', host: 'pop.wk.test', port: 995, socketType: 'SSL' }]) },
  });
  const { config, steps } = await world.resolver().resolve('wk.test');
  t.match(config?.source, { kind: 'autoconfig', detail: 'https://wk.test/.well-known/autoconfig/mail/config-v1.1.xml' });
  t.match(config?.servers, [{ protocol: 'pop3', host: 'pop.wk.test' }]);
  t.match(steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'nothing', detail: /autoconfig\.wk\.test does not exist/ });
});

t.test('MX to a database provider (purpose="mx"), best MX first', async (t) => {
  const { config, steps } = await world.resolver({}, [hoster]).resolve('customer.test');
  t.match(config?.source, { kind: 'mx', confidence: 'high', evidence: { matched: 'mailcluster.test', file: 'hoster.test.xml', mx: ['10 mx1.mailcluster.test', '20 mx2.mailcluster.test'] } });
  t.match(config?.servers, [{ host: 'imap.hoster.test', source: { kind: 'mx' } }, { host: 'smtp.hoster.test' }]);
  t.match(steps.find((s) => stepLabel(s) === 'mx'), { outcome: 'found', detail: /mx1\.mailcluster\.test: mailcluster\.test is in the provider database/ });
  t.notOk(steps.some((s) => stepLabel(s).startsWith('probe ')), 'nothing was probed');
});

t.test("MX to the MX domain's autoconfig host", async (t) => {
  const web = await world.web('127.0.2.22', {
    pem: world.pki.valid,
    routes: { '/mail/config-v1.1.xml': clientConfigXml('hoster2.test', [{ type: 'imap', host: 'imap.hoster2.test', port: 993, socketType: 'SSL' }]) },
  });
  const { config } = await world.resolver().resolve('customer2.test');
  t.match(config?.source, { kind: 'mx', confidence: 'medium', detail: 'https://autoconfig.hoster2.test/mail/config-v1.1.xml', evidence: { mx: ['10 in.mx.hoster2.test'] } });
  t.match(web.requests(), [/^autoconfig\.hoster2\.test\//]);
});

t.test('plain http autoconfig only behind the option, and marked', async (t) => {
  const web = await world.web('127.0.2.23', { routes: { '/mail/config-v1.1.xml': clientConfigXml('plain.test', [{ type: 'imap', host: 'imap.plain.test', port: 993, socketType: 'SSL' }]) } });
  const off = await world.resolver().resolve('plain.test');
  t.equal(off.config, undefined, 'off by default');
  t.equal(web.requests().length, 0, 'not even asked');
  const on = await world.resolver({ autoconfigHttp: true }).resolve('plain.test');
  t.match(on.config?.source, { kind: 'autoconfig', confidence: 'low', evidence: { https: false } });
  t.match(on.config?.servers[0]?.warnings, [/plain http/]);
  t.match(on.steps.find((s) => stepLabel(s) === 'autoconfig-http'), { outcome: 'found' });

  await world.web('127.0.2.26', { routes: { '/mail/config-v1.1.xml': clientConfigXml('plainmx.test', [{ type: 'imap', host: 'imap.plainmx.test', port: 993, socketType: 'SSL' }]) } });
  const both = await world.resolver({ autoconfigHttp: true }, [hoster]).resolve('plainmx.test');
  t.match(both.config?.source, { kind: 'mx' }, 'a file over plain http ranks below the database reached through MX');
});

t.test('a broken or oversized file is refused with the reason, like a bad provider file', async (t) => {
  await world.web('127.0.2.24', { pem: world.pki.valid, routes: { '/mail/config-v1.1.xml': '<clientConfig><emailProvider id="x">\n<domain>broken.test</domain>\n<incomingServer type="imap"><hostname>h</hostname></incomingServer></emailProvider></clientConfig>' } });
  await world.web('127.0.2.25', { pem: world.pki.valid, routes: { '/mail/config-v1.1.xml': `<clientConfig>${' '.repeat(70 * 1024)}</clientConfig>` } });
  const broken = await world.resolver().resolve('broken.test');
  t.match(broken.steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'failed', detail: /not a usable clientConfig file \(line 3: .*has no <port>/ });
  const big = await world.resolver().resolve('big.test');
  t.match(big.steps.find((s) => stepLabel(s) === 'autoconfig'), { outcome: 'failed', detail: /larger than 65536 bytes/ });
});
