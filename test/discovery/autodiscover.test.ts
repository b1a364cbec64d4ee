// The domain's own Outlook Autodiscover as a discovery source: the 2006 request POSTed to autodiscover.D, to D and
// to the host an _autodiscover._tcp SRV record names; redirectAddr and redirectUrl followed a few times, https only,
// every hop vetted; ranked with the domain's autoconfig file.
import t from 'tap';
import { parseAddress } from '../../src/settings/address.js';
import { stepLabel } from '../../src/settings/steps.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { providerEntry, startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';
import { startTripwire } from '../helpers/tripwire.js';

const FORBIDDEN = '127.0.5.7';
const PATH = '/autodiscover/autodiscover.xml';
const RESPONSE = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const wrap = (account: string) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="${RESPONSE}">${account}</Response></Autodiscover>`;
const protocol = (fields: Record<string, string>) => `<Protocol>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</Protocol>`;
const settings = (...protocols: string[]) => wrap(`<Account><AccountType>email</AccountType><Action>settings</Action>${protocols.join('')}</Account>`);
const redirectUrl = (url: string) => wrap(`<Account><AccountType>email</AccountType><Action>redirectUrl</Action><RedirectUrl>${url}</RedirectUrl></Account>`);
const redirectAddr = (address: string) => wrap(`<Account><AccountType>email</AccountType><Action>redirectAddr</Action><RedirectAddr>${address}</RedirectAddr></Account>`);
const summary = (servers: ServerSettings[] | undefined) => (servers ?? []).map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security} ${s.username}`);

const world = await startWorld(
  {
    'autodiscover.outlook.test': { A: ['127.0.2.80'] },
    'outlook.test': { MX: [{ exchange: 'mx1.mailcluster.test', priority: 10 }] },
    // Only on the domain itself, redirecting to the hoster's URL.
    'bare.test': { A: ['127.0.2.81'] },
    'ad.hoster.test': { A: ['127.0.2.82'] },
    // redirectAddr to an address at another domain.
    'autodiscover.moved.test': { A: ['127.0.2.83'] },
    'autodiscover.hosted.test': { A: ['127.0.2.84'] },
    // redirectAddr to another person's name, and to something that is no address.
    'autodiscover.alias.test': { A: ['127.0.2.87'] },
    'autodiscover.garbled.test': { A: ['127.0.2.88'] },
    // Only an SRV record.
    '_autodiscover._tcp.srvad.test': { SRV: [{ priority: 0, weight: 0, port: 8443, target: 'wrongport.hoster.test' }, { priority: 10, weight: 0, port: 443, target: 'ad.hoster.test' }] },
    // Redirects that must not be followed, and answers that must be refused.
    'autodiscover.bad.test': { A: ['127.0.2.85'] },
    'evil.hoster.test': { A: [FORBIDDEN] },
    // Both the domain's autoconfig file and its Autodiscover.
    'autoconfig.both.test': { A: ['127.0.2.86'] },
    'autodiscover.both.test': { A: ['127.0.2.86'] },
  },
  ['outlook.test', 'bare.test', 'hoster.test', 'moved.test', 'hosted.test', 'alias.test', 'garbled.test', 'srvad.test', 'bad.test', 'both.test', 'mailcluster.test'],
);
t.teardown(() => world.close());

const hoster = providerEntry(
  'mailcluster.test.xml',
  `<clientConfig version="1.1"><emailProvider id="mailcluster.test">
  <domain>mailcluster.test</domain><domain purpose="mx">mailcluster.test</domain>
  <incomingServer type="imap"><hostname>imap.mailcluster.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.mailcluster.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider></clientConfig>`,
);

t.test('autodiscover.D answers the POST: IMAP, POP3 and SMTP taken, Exchange sections ignored, ranked above MX', async (t) => {
  const web = await world.web('127.0.2.80', {
    pem: world.pki.valid,
    routes: {
      [PATH]: settings(
        protocol({ Type: 'EXCH', Server: 'ex.outlook.test' }),
        protocol({ Type: 'IMAP', Server: 'IMAP.Outlook.Test', Port: '993', SSL: 'on', LoginName: 'alice@outlook.test' }),
        protocol({ Type: 'POP3', Server: 'pop.outlook.test', Port: '995', SSL: 'on', LoginName: 'alice' }),
        protocol({ Type: 'SMTP', Server: 'smtp.outlook.test', Port: '587', Encryption: 'TLS', LoginName: 'OUTLOOK\\alice', DomainRequired: 'on', SPA: 'on' }),
      ),
    },
  });
  const result = await world.resolver({}, [hoster]).resolve('outlook.test', parseAddress('alice@outlook.test'));
  const { config, steps } = result;
  t.same(summary(config?.servers), ['imap imap.outlook.test:993 tls %EMAILADDRESS%', 'pop3 pop.outlook.test:995 tls %EMAILLOCALPART%', 'smtp smtp.outlook.test:587 starttls OUTLOOK\\%EMAILLOCALPART%']);
  t.match(config?.source, { kind: 'autoconfig', confidence: 'high', detail: 'https://autodiscover.outlook.test/autodiscover/autodiscover.xml', evidence: { format: 'autodiscover', https: true, address: '127.0.2.80', tlsVersion: /^TLSv1\.[23]$/ } });
  t.match(config?.servers[2], { auth: ['NTLM'], warnings: [/Windows domain/] });
  const [post] = web.posts();
  t.equal(post?.url, 'autodiscover.outlook.test/autodiscover/autodiscover.xml');
  t.match(post?.body, /<EMailAddress>alice@outlook\.test<\/EMailAddress>.*responseschema\/2006a/, 'the 2006 request, for the asker');
  t.match(steps.find((s) => stepLabel(s) === 'autodiscover https://autodiscover.outlook.test/autodiscover/autodiscover.xml'), { outcome: 'found', detail: /EXCH section ignored/ });
  t.notMatch(JSON.stringify(result), /alice/i, 'cached for the whole domain: no trace of the asker');
});

t.test('D/autodiscover redirects by redirectUrl to the hoster (https, vetted): followed, confidence lower outside D', async (t) => {
  await world.web('127.0.2.81', { pem: world.pki.valid, routes: { [PATH]: redirectUrl(`https://ad.hoster.test${PATH}`) } });
  await world.web('127.0.2.82', { pem: world.pki.valid, routes: { [PATH]: settings(protocol({ Type: 'IMAP', Server: 'imap.hoster.test', Port: '143', SSL: 'on' })) } });
  const { config, steps } = await world.resolver().resolve('bare.test');
  t.same(summary(config?.servers), ['imap imap.hoster.test:143 starttls %EMAILADDRESS%']);
  t.match(config?.source, { confidence: 'medium', detail: `https://ad.hoster.test${PATH}`, evidence: { startedAt: `https://bare.test${PATH}`, redirects: [/redirectUrl to https:\/\/ad\.hoster\.test/], hops: [{ address: '127.0.2.81' }, { address: '127.0.2.82' }] } });
  t.match(steps.find((s) => stepLabel(s) === `autodiscover https://bare.test${PATH}`), { outcome: 'found', detail: /redirectUrl to https:\/\/ad\.hoster\.test.*; then https:\/\/ad\.hoster\.test/ });
});

t.test('redirectAddr: asked again for the new address at its domain; the user name keeps its placeholder', async (t) => {
  await world.web('127.0.2.83', { pem: world.pki.valid, routes: { [PATH]: redirectAddr('carol@hosted.test') } });
  const hosted = await world.web('127.0.2.84', { pem: world.pki.valid, routes: { [PATH]: settings(protocol({ Type: 'IMAP', Server: 'imap.hosted.test', Port: '993', LoginName: 'carol@hosted.test' })) } });
  const result = await world.resolver().resolve('moved.test', parseAddress('carol@moved.test'));
  t.same(summary(result.config?.servers), ['imap imap.hosted.test:993 tls %EMAILLOCALPART%@hosted.test']);
  t.match(hosted.posts()[0]?.body, /<EMailAddress>carol@hosted\.test</, 'the new address was asked');
  t.match(result.steps.find((s) => stepLabel(s) === `autodiscover https://autodiscover.moved.test${PATH}`)?.detail, /redirectAddr to an address at hosted\.test/);
  t.notMatch(JSON.stringify(result), /carol/i);
});

t.test('redirectAddr to another local part: that one person\'s name is not cached for everyone', async (t) => {
  await world.web('127.0.2.87', { pem: world.pki.valid, routes: { [PATH]: redirectAddr('d.smith@hosted.test') } });
  await world.web('127.0.2.84', { pem: world.pki.valid, routes: { [PATH]: settings(protocol({ Type: 'IMAP', Server: 'imap.hosted.test', Port: '993', LoginName: 'd.smith@hosted.test' })) } });
  await world.web('127.0.2.88', { pem: world.pki.valid, routes: { [PATH]: redirectAddr('not an address') } });
  const result = await world.resolver().resolve('alias.test', parseAddress('dave@alias.test'));
  t.same(summary(result.config?.servers), ['imap imap.hosted.test:993 tls %EMAILADDRESS%']);
  t.match(result.config?.servers[0]?.warnings, [/a user name for one person/]);
  t.notMatch(JSON.stringify(result), /smith|dave/i);
  const garbled = await world.resolver().resolve('garbled.test');
  t.match(garbled.steps.find((s) => stepLabel(s) === `autodiscover https://autodiscover.garbled.test${PATH}`), { outcome: 'failed', failure: 'invalid', detail: /redirectAddr to something that is not an address/ });
});

t.test('_autodiscover._tcp SRV: the port-443 target is asked, another port is not', async (t) => {
  const { config, steps } = await world.resolver().resolve('srvad.test');
  t.same(summary(config?.servers), ['imap imap.hoster.test:143 starttls %EMAILADDRESS%'], 'ad.hoster.test answers as in the test above');
  t.match(config?.source, { confidence: 'medium', evidence: { dns: { srv: '_autodiscover._tcp.srvad.test SRV 10 0 443 ad.hoster.test' } } });
  t.match(steps.find((s) => stepLabel(s) === 'autodiscover _autodiscover._tcp.srvad.test'), { outcome: 'found', detail: /8443 wrongport\.hoster\.test: port 8443 is not 443, not followed/ });
});

t.test('redirects to http, to forbidden addresses, in a loop; DOCTYPE and oversized answers: refused', async (t) => {
  const tripwire = await startTripwire(FORBIDDEN);
  t.teardown(() => tripwire.close());
  world.route(FORBIDDEN, 443, tripwire.port);
  world.route(FORBIDDEN, 80, tripwire.port);
  const cases: [string, string, RegExp][] = [
    ['http', redirectUrl(`http://autodiscover.bad.test${PATH}`), /refused http:\/\/ URL .*https only/],
    ['forbidden', redirectUrl(`https://evil.hoster.test${PATH}`), /evil\.hoster\.test -> 127\.0\.5\.7 refused/],
    ['loop', redirectUrl(`https://autodiscover.bad.test${PATH}`), /more than 3 Autodiscover redirects/],
    ['doctype', `<!DOCTYPE Autodiscover [<!ENTITY x "y">]>${settings(protocol({ Type: 'IMAP', Server: 'imap.bad.test', Port: '993' }))}`, /not an Autodiscover answer \(line 1: DOCTYPE/],
    ['big', settings(protocol({ Type: 'IMAP', Server: 'imap.bad.test', Port: '993' }), ' '.repeat(70 * 1024)), /larger than 65536 bytes/],
  ];
  for (const [name, body, why] of cases) {
    const server = await world.web('127.0.2.85', { pem: world.pki.valid, routes: { [PATH]: body } });
    const { config, steps } = await world.resolver().resolve('bad.test');
    t.equal(config, undefined, `${name}: nothing offered`);
    t.match(steps.find((s) => stepLabel(s) === `autodiscover https://autodiscover.bad.test${PATH}`), { outcome: 'failed', detail: why }, name);
    await server.close();
  }
  t.same(tripwire.peers(), [], 'nothing connected outside the allowed networks');
});

t.test("the domain's autoconfig file ranks first; Autodiscover stays in the steps", async (t) => {
  await world.web('127.0.2.86', {
    pem: world.pki.valid,
    routes: {
      'autoconfig.both.test/mail/config-v1.1.xml': clientConfigXml('both.test', [{ type: 'imap', host: 'imap.both.test', port: 993, socketType: 'SSL' }]),
      [`autodiscover.both.test${PATH}`]: settings(protocol({ Type: 'POP3', Server: 'pop.both.test', Port: '995' })),
    },
  });
  const { config } = await world.resolver().resolve('both.test');
  t.match(config?.source, { kind: 'autoconfig', detail: 'https://autoconfig.both.test/mail/config-v1.1.xml' });
});
