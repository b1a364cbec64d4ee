// RFC 6764 and RFC 8620 discovery over loopback fakes: SRV + TXT path=, the well-known redirects (followed, every
// hop vetted, the final URL recorded), SRV "." as not offered, JMAP's SRV and /.well-known/jmap.
import t from 'tap';
import { pathFromTxt } from '../../src/discovery/dav.js';
import type { LookupStep } from '../../src/settings/steps.js';
import { startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';
import { startTripwire } from '../helpers/tripwire.js';

const DOMAINS = ['d1.test', 'd2.test', 'd3.test', 'd4.test', 'd5.test', 'd6.test'];
const zone: Record<string, object> = {
  // SRV with TXT path= for CalDAV; SRV without TXT for CardDAV (the well-known redirect on the target gives the path).
  '_caldavs._tcp.d1.test': { SRV: [{ priority: 0, weight: 1, port: 443, target: 'dav.d1.test' }], TXT: ['path=/dav/calendars/'] },
  '_carddavs._tcp.d1.test': { SRV: [{ priority: 0, weight: 1, port: 443, target: 'dav.d1.test' }] },
  'dav.d1.test': { A: ['127.0.2.51'] },
  // JMAP by SRV: the session resource behind /.well-known/jmap on the target.
  '_jmap._tcp.d1.test': { SRV: [{ priority: 0, weight: 1, port: 443, target: 'jmap.d1.test' }] },
  'jmap.d1.test': { A: ['127.0.2.51'] },
  // No SRV: the well-known URLs on the domain itself; CalDAV redirects to another host.
  'd2.test': { A: ['127.0.2.52'] },
  'cal.d2.test': { A: ['127.0.2.51'] },
  // SRV ".": not offered, nothing guessed.
  '_caldavs._tcp.d3.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
  '_carddavs._tcp.d3.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
  '_jmap._tcp.d3.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
  'd3.test': { A: ['127.0.2.53'] },
  // Redirects that must not be followed: to plain http, and to a forbidden address.
  'd4.test': { A: ['127.0.2.54'] },
  'evil.d4.test': { A: ['127.0.5.5'] },
  // A well-known URL that is not there (404) and one that answers 401 without a redirect.
  'd5.test': { A: ['127.0.2.55'] },
  // CalDAV on another port: host and port from SRV, the path left to the client.
  '_caldavs._tcp.d6.test': { SRV: [{ priority: 0, weight: 1, port: 8443, target: 'dav.d6.test' }] },
  'dav.d6.test': { A: ['127.0.2.51'] },
};
for (const d of DOMAINS) zone[`autoconfig.${d}`] = { A: ['127.0.2.50'] };
const world = await startWorld(zone as never, DOMAINS);
t.teardown(() => world.close());

// Every domain has an autoconfig file, so that a config exists to carry the services.
await world.web('127.0.2.50', {
  pem: world.pki.valid,
  routes: Object.fromEntries(DOMAINS.map((d) => [`autoconfig.${d}/mail/config-v1.1.xml`, clientConfigXml(d, [{ type: 'imap', host: `imap.${d}`, port: 993, socketType: 'SSL' }, { type: 'smtp', host: `smtp.${d}`, port: 465, socketType: 'SSL' }])])),
});
const dav = await world.web('127.0.2.51', {
  pem: world.pki.valid,
  routes: {
    'dav.d1.test/.well-known/carddav': { status: 301, location: '/dav/addressbooks/' },
    'dav.d1.test/dav/addressbooks/': { status: 401 },
    'jmap.d1.test/.well-known/jmap': { status: 307, location: 'https://jmap.d1.test/jmap/session' },
    'jmap.d1.test/jmap/session': { status: 401 },
    'cal.d2.test/caldav/': { status: 207 },
  },
});
const d2 = await world.web('127.0.2.52', {
  pem: world.pki.valid,
  routes: {
    'd2.test/.well-known/caldav': { status: 303, location: 'https://cal.d2.test/caldav/' },
    'd2.test/.well-known/carddav': { status: 301, location: '/carddav/' },
    'd2.test/carddav/': { status: 405 },
    'd2.test/.well-known/jmap': { status: 301, location: '/jmap/' },
    'd2.test/jmap/': { status: 401 },
  },
});
const d3 = await world.web('127.0.2.53', { pem: world.pki.valid, routes: {} });
await world.web('127.0.2.54', {
  pem: world.pki.valid,
  routes: {
    'd4.test/.well-known/caldav': { status: 301, location: 'http://d4.test/caldav/' },
    'd4.test/.well-known/carddav': { status: 301, location: 'https://evil.d4.test/carddav/' },
  },
});
await world.web('127.0.2.55', { pem: world.pki.valid, routes: { 'd5.test/.well-known/carddav': { status: 401 } } });

type Steps = readonly LookupStep[];
const step = (steps: Steps, name: string) => steps.find((s) => s.kind === name);
const services = (config: { services?: { protocol: string; url: string; source: { kind: string } }[] } | undefined) => (config?.services ?? []).map((s) => `${s.protocol} ${s.url} ${s.source.kind}`);

t.test('SRV with TXT path=, SRV with the well-known redirect on its target, JMAP by SRV', async (t) => {
  const { config, steps } = await world.resolver().resolve('d1.test');
  t.same(services(config), ['caldav https://dav.d1.test/dav/calendars/ srv', 'carddav https://dav.d1.test/dav/addressbooks/ srv', 'jmap https://jmap.d1.test/jmap/session srv']);
  t.match(step(steps, 'caldav'), { outcome: 'found', detail: /_caldavs\._tcp\.d1\.test SRV 0 1 443 dav\.d1\.test, TXT path=\/dav\/calendars\// });
  t.match(step(steps, 'carddav'), { outcome: 'found', detail: /https:\/\/dav\.d1\.test\/\.well-known\/carddav 301 -> https:\/\/dav\.d1\.test\/dav\/addressbooks\/ 401/ });
  const carddav = config?.services?.find((s) => s.protocol === 'carddav');
  t.match(carddav?.source.evidence, { url: 'https://dav.d1.test/dav/addressbooks/', redirects: 1, status: 401 });
  t.equal(config?.servers[0]?.host, 'imap.d1.test', 'the mail settings are untouched');
});

t.test('no SRV: the well-known URLs on the domain, redirects to another host followed and vetted', async (t) => {
  const { config } = await world.resolver().resolve('d2.test');
  t.same(services(config), ['caldav https://cal.d2.test/caldav/ probe', 'carddav https://d2.test/carddav/ probe', 'jmap https://d2.test/jmap/ probe']);
  t.ok(d2.requests().includes('d2.test/.well-known/caldav'));
  t.ok(dav.requests().includes('cal.d2.test/caldav/'), 'the redirect target was fetched');
});

t.test('SRV target "." means not offered: no well-known guess', async (t) => {
  const { config, steps } = await world.resolver().resolve('d3.test');
  t.same(services(config), []);
  for (const name of ['caldav', 'carddav', 'jmap']) t.match(step(steps, name), { outcome: 'nothing', detail: /SRV "\.": not offered/ });
  t.same(d3.requests().filter((r) => r.includes('.well-known/c') || r.includes('.well-known/jmap')), [], 'not even asked');
});

t.test('a redirect to plain http or to a forbidden address is not followed', async (t) => {
  const tripwire = await startTripwire('127.0.5.5');
  t.teardown(() => tripwire.close());
  world.route('127.0.5.5', 443, tripwire.port);
  const { config, steps } = await world.resolver().resolve('d4.test');
  t.same(services(config).filter((s) => !s.startsWith('jmap')), []);
  t.match(step(steps, 'caldav'), { detail: /refused http:\/\/ URL/ });
  t.match(step(steps, 'carddav'), { detail: /evil\.d4\.test -> 127\.0\.5\.5 refused/ });
  t.equal(tripwire.connections(), 0);
});

t.test('404 is nothing; 401 without a redirect is kept with a warning; another SRV port is kept unfetched', async (t) => {
  const five = await world.resolver().resolve('d5.test');
  t.match(step(five.steps, 'caldav'), { outcome: 'nothing', detail: /HTTP 404/ });
  const carddav = five.config?.services?.find((s) => s.protocol === 'carddav');
  t.equal(carddav?.url, 'https://d5.test/.well-known/carddav');
  t.match(carddav?.warnings, [/answered without a redirect/]);
  const six = await world.resolver().resolve('d6.test');
  t.match(six.config?.services?.find((s) => s.protocol === 'caldav'), { url: 'https://dav.d6.test:8443/', warnings: ['no context path known: the client discovers it'] });
});

t.test('TXT path= reading', async (t) => {
  const rec = (data: unknown) => ({ data }) as never;
  t.equal(pathFromTxt([rec(['txtvers=1', 'path=/cal/'])]), '/cal/');
  t.equal(pathFromTxt([rec('path=/x/')]), '/x/');
  t.equal(pathFromTxt([rec(['path=relative'])]), undefined);
  t.equal(pathFromTxt([]), undefined);
});

t.test("discovered services never replace the config's own", async (t) => {
  const { withDiscoveredServices } = await import('../../src/discovery/dav.js');
  const source = { kind: 'srv', detail: 'x', confidence: 'medium' } as const;
  const own = { services: [{ protocol: 'caldav' as const, url: 'https://own.test/cal/', auth: ['OAuth2' as const], username: '%EMAILADDRESS%', source }] };
  const merged = withDiscoveredServices(own, [
    { protocol: 'caldav', url: 'https://dns.test/cal/', auth: ['Basic'], username: '%EMAILADDRESS%', source },
    { protocol: 'jmap', url: 'https://dns.test/jmap', auth: ['Basic'], username: '%EMAILADDRESS%', source },
  ]);
  t.same(merged.services.map((s) => s.url), ['https://own.test/cal/', 'https://dns.test/jmap']);
  t.equal(withDiscoveredServices(own, []), own, 'nothing found: the same object');
});
