// The MX rules of draft-ietf-mailmaint-autoconfig: only the most preferred MX host counts; its domain minus the first
// label only when longer than the registrable domain, then the registrable domain, both tried. Names from DNS are
// compared case-insensitively and without the trailing dot.
import t from 'tap';
import { mxDomains } from '../../src/discovery/mx.js';
import { stepLabel } from '../../src/settings/steps.js';
import { providerEntry, startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';

t.test('the domains derived from an MX host', async (t) => {
  t.same(mxDomains('mx1.mail.hoster.co.uk'), ['mail.hoster.co.uk', 'hoster.co.uk'], 'minus the first label, then the registrable domain');
  t.same(mxDomains('mx1.hoster.example'), ['hoster.example'], 'minus the first label is the registrable domain: once');
  t.same(mxDomains('mx.co.uk'), ['mx.co.uk'], 'never a public suffix (co.uk)');
  t.same(mxDomains('hoster.example'), ['hoster.example']);
  t.same(mxDomains('MX1.Mail.Hoster.Example.'), ['mail.hoster.example', 'hoster.example'], 'case and the trailing dot do not matter');
  t.same(mxDomains('192.0.2.1'), [], 'an address has no domain');
});

const world = await startWorld(
  {
    // The best MX host in upper case with a trailing dot; a worse one elsewhere must not be used.
    'upper.test': { MX: [{ exchange: 'mx9.elsewhere.test', priority: 20 }, { exchange: 'MX1.Cluster.Hosting.TEST.', priority: 5 }] },
    // Both derived domains are asked for their autoconfig file; only the registrable one has it.
    'both.test': { MX: [{ exchange: 'in.mx.provider.test', priority: 10 }] },
    'autoconfig.mx.provider.test': { A: ['127.0.2.60'] },
    'autoconfig.provider.test': { A: ['127.0.2.61'] },
    'nullmx.test': { MX: [{ exchange: '.', priority: 0 }] },
  },
  ['upper.test', 'hosting.test', 'provider.test', 'mx.provider.test', 'nullmx.test'],
);
t.teardown(() => world.close());

const hosting = providerEntry(
  'hosting.test.xml',
  `<clientConfig version="1.1"><emailProvider id="hosting.test">
  <domain>hosting.test</domain><domain purpose="mx">cluster.hosting.test</domain>
  <incomingServer type="imap"><hostname>imap.hosting.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.hosting.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider></clientConfig>`,
);

t.test('the most preferred MX host, in canonical form, reaches the provider database', async (t) => {
  const { config, steps } = await world.resolver({}, [hosting]).resolve('upper.test');
  t.match(config?.source, { kind: 'mx', evidence: { matched: 'cluster.hosting.test', mx: ['5 mx1.cluster.hosting.test', '20 mx9.elsewhere.test'] } });
  t.match(steps.find((s) => stepLabel(s) === 'mx'), { outcome: 'found', detail: /^MX mx1\.cluster\.hosting\.test: cluster\.hosting\.test is in the provider database/ });
});

t.test("both MX domains' autoconfig hosts are tried, the longer one first", async (t) => {
  const full = await world.web('127.0.2.60', { pem: world.pki.valid, routes: {} });
  const base = await world.web('127.0.2.61', { pem: world.pki.valid, routes: { '/mail/config-v1.1.xml': clientConfigXml('provider.test', [{ type: 'imap', host: 'imap.provider.test', port: 993, socketType: 'SSL' }]) } });
  const { config, steps } = await world.resolver().resolve('both.test');
  t.match(config?.source, { kind: 'mx', detail: 'https://autoconfig.provider.test/mail/config-v1.1.xml' });
  t.same(full.requests(), ['autoconfig.mx.provider.test/mail/config-v1.1.xml'], 'MXFULLDOMAIN asked');
  t.same(base.requests(), ['autoconfig.provider.test/mail/config-v1.1.xml'], 'MXBASEDOMAIN asked');
  t.match(steps.filter((s) => s.kind === 'mx-autoconfig').map((s) => `${s.subject} ${s.outcome}`).sort(), [
    'https://autoconfig.mx.provider.test/mail/config-v1.1.xml nothing',
    'https://autoconfig.provider.test/mail/config-v1.1.xml found',
  ]);
});

t.test('a null MX says the domain takes no mail', async (t) => {
  const { steps } = await world.resolver().resolve('nullmx.test');
  t.match(steps.find((s) => stepLabel(s) === 'mx'), { outcome: 'nothing', detail: 'nullmx.test takes no mail (null MX, RFC 7505)' });
});
