// MAILCONFIG_DISCOVERY=mx: the provider database plus MX lookups only. A hoster's customer domain matches through
// `purpose="mx"`; a domain nobody knows gets nothing, and nothing is fetched from or probed on its servers (a
// tripwire behind every name and port it publishes). The same domain under full discovery does reach the tripwire.
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { providerEntry, startWorld } from '../helpers/discovery-world.js';
import { startTripwire } from '../helpers/tripwire.js';

const STRANGER = '127.0.2.50';
const world = await startWorld(
  {
    'customer.test': { MX: [{ exchange: 'mx1.mailcluster.test', priority: 10 }] },
    'mx1.mailcluster.test': { A: ['127.0.2.40'] },
    'stranger.test': { MX: [{ exchange: 'mail.stranger.test', priority: 10 }] },
    'mail.stranger.test': { A: [STRANGER] },
    'imap.stranger.test': { A: [STRANGER] },
    'smtp.stranger.test': { A: [STRANGER] },
    'autoconfig.stranger.test': { A: [STRANGER] },
    'stranger.test.': { A: [STRANGER] },
    '_imaps._tcp.stranger.test': { SRV: [{ priority: 0, weight: 1, port: 993, target: 'mail.stranger.test' }] },
  },
  ['customer.test', 'mailcluster.test', 'stranger.test', 'hoster.test'],
);
t.teardown(() => world.close());
const tripwire = await startTripwire(STRANGER);
t.teardown(() => tripwire.close());
for (const port of [25, 80, 110, 143, 443, 465, 587, 993, 995]) world.route(STRANGER, port, tripwire.port);

const hoster = providerEntry(
  'hoster.test.xml',
  `<clientConfig version="1.1"><emailProvider id="hoster.test">
  <domain>hoster.test</domain><domain purpose="mx">mailcluster.test</domain>
  <incomingServer type="imap"><hostname>imap.hoster.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.hoster.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>`,
);

t.test('the environment variable', async (t) => {
  t.match(loadConfig({ MAILCONFIG_DISCOVERY: 'mx' }).discovery, { enabled: true, mode: 'mx' });
  t.match(loadConfig({ MAILCONFIG_DISCOVERY: 'MX ' }).discovery, { enabled: true, mode: 'mx' });
  t.match(loadConfig({ MAILCONFIG_DISCOVERY: 'on' }).discovery, { enabled: true, mode: 'full' });
});

t.test('a customer domain matches its hoster through purpose="mx"', async (t) => {
  const { config, steps } = await world.resolver({ mode: 'mx' }, [hoster]).resolve('customer.test');
  t.match(config?.source, { kind: 'mx', evidence: { matched: 'mailcluster.test', file: 'hoster.test.xml' } });
  t.match(config?.servers, [{ host: 'imap.hoster.test' }, { host: 'smtp.hoster.test' }]);
  t.same([...new Set(steps.map((s) => s.kind))].filter((kind) => kind !== 'database' && kind !== 'mx'), [], `only MX steps: ${steps.map((s) => s.kind).join(', ')}`);
});

t.test('an unknown domain gets nothing, and none of its servers is contacted', async (t) => {
  const before = world.dns.queries().length;
  const { config } = await world.resolver({ mode: 'mx' }, [hoster]).resolve('stranger.test');
  t.equal(config, undefined);
  t.same(tripwire.peers(), [], 'no fetch, no probe');
  const asked = world.dns.queries().slice(before);
  t.same(asked.filter((q) => !q.startsWith('MX ')), [], `only MX questions (${asked.join(', ')})`);

  // The same domain under full discovery: the tripwire is reached, so the assertion above can fail.
  await world.resolver({ mode: 'full' }, [hoster]).resolve('stranger.test');
  t.ok(tripwire.connections() > 0, 'full discovery does contact its servers');
});
