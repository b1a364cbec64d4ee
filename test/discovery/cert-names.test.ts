// Shared hosting: the customer's imap.D, smtp.D and mail.D are aliases of the hoster's server, whose certificate
// names only the hoster's host. The customer's names are refused; the hoster's name is probed at the same address
// and offered, marked. A name the certificate covers that leads elsewhere is never connected to.
import t from 'tap';
import { certificateNames, onlyTheNameIsWrong } from '../../src/discovery/cert-names.js';
import type { CertificateFacts } from '../../src/discovery/types.js';
import { stepLabel } from '../../src/settings/steps.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { startWorld } from '../helpers/discovery-world.js';
import { startTripwire } from '../helpers/tripwire.js';

const facts = (extra: Partial<CertificateFacts> = {}): CertificateFacts => ({
  trusted: true,
  nameMatches: false,
  expired: false,
  notYetValid: false,
  validFrom: '',
  validTo: '',
  subject: 'CN=mail.hoster.test',
  issuer: 'CN=ca',
  altNames: ['DNS:*.hoster.test', 'DNS:hoster.test', 'IP Address:192.0.2.1', 'DNS:Mail.Hoster.Test'],
  problems: [],
  ...extra,
});

t.test('which names are tried instead of a refused one', async (t) => {
  t.same(certificateNames('imap.shared.test', ['edge.hoster.test', 'mail.hoster.test'], facts()), ['mail.hoster.test', 'edge.hoster.test', 'hoster.test'], 'the alias chain from its end, then what the certificate covers; at most three');
  t.same(certificateNames('imap.shared.test', [], facts()), ['hoster.test', 'mail.hoster.test'], 'no wildcards, no addresses, canonical names');
  t.same(certificateNames('hoster.test', [], facts()), ['mail.hoster.test'], 'never the refused name itself');
  t.ok(onlyTheNameIsWrong(facts()));
  t.notOk(onlyTheNameIsWrong(facts({ trusted: false })), 'an untrusted certificate is no lead');
  t.notOk(onlyTheNameIsWrong(facts({ expired: true })));
  t.notOk(onlyTheNameIsWrong(facts({ nameMatches: true })));
  t.notOk(onlyTheNameIsWrong(undefined));
});

const FORBIDDEN = '127.0.5.9';
// The certificates name hoster.test and other.test (and their subdomains); never shared.test or sneaky.test.
const world = await startWorld(
  {
    'shared.test': { MX: [{ exchange: 'mx.hoster.test', priority: 10 }] },
    'imap.shared.test': { CNAME: 'mail.hoster.test' },
    'smtp.shared.test': { CNAME: 'mail.hoster.test' },
    'mail.shared.test': { CNAME: 'mail.hoster.test' },
    'mail.hoster.test': { A: ['127.0.2.70'] },
    'mx.hoster.test': { A: ['127.0.2.71'] },
    // A server whose certificate names hosts that live elsewhere.
    'imap.sneaky.test': { A: ['127.0.2.72'] },
    'hoster.test': { A: [FORBIDDEN] },
    'other.test': { A: ['127.0.2.73'] },
  },
  ['hoster.test', 'other.test'],
);
t.teardown(() => world.close());

const summary = (servers: ServerSettings[] | undefined) => (servers ?? []).map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security} ${s.source.kind}`);

t.test("shared hosting: the hoster's name, at the same address, offered instead of the customer's alias", async (t) => {
  const imap = await world.imap('127.0.2.70', 993, { mode: 'tls', pem: world.pki.valid });
  await world.smtp('127.0.2.70', 465, { mode: 'tls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('shared.test');
  t.same(summary(config?.servers), ['imap mail.hoster.test:993 tls probe', 'smtp mail.hoster.test:465 tls probe']);
  t.notOk(config?.servers.some((s) => s.host.endsWith('.shared.test')), "a customer's name is never offered: its certificate does not match it");
  t.match(config?.servers[0], {
    source: { confidence: 'low', evidence: { insteadOf: 'imap.shared.test', alias: true, address: '127.0.2.70', certificate: { nameMatches: true } } },
    warnings: [/^the certificate names mail\.hoster\.test; imap\.shared\.test's own name is not covered \(imap\.shared\.test is an alias of mail\.hoster\.test\)/, /outside shared\.test/],
  });
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.shared.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'certificate', detail: /does not name imap\.shared\.test/ });
  t.match(steps.find((s) => stepLabel(s) === 'probe mail.hoster.test:993 (imap, TLS)'), { outcome: 'found', detail: /\(instead of imap\.shared\.test: imap\.shared\.test is an alias of it, same address\)$/ });
  t.equal(steps.filter((s) => stepLabel(s) === 'probe mail.hoster.test:993 (imap, TLS)').length, 1, 'the hoster name probed once');
  t.ok(imap.connections() >= 2, 'the alias (refused) and the hoster name');
});

t.test('names the certificate covers that resolve elsewhere are never connected to', async (t) => {
  await world.imap('127.0.2.72', 993, { mode: 'tls', pem: world.pki.valid });
  const elsewhere = await world.imap('127.0.2.73', 993, { mode: 'tls', pem: world.pki.valid });
  const tripwire = await startTripwire(FORBIDDEN);
  t.teardown(() => tripwire.close());
  for (const port of [993, 143]) world.route(FORBIDDEN, port, tripwire.port);
  const { config, steps } = await world.resolver().resolve('sneaky.test');
  t.equal(config, undefined, 'nothing offered');
  t.equal(elsewhere.connections(), 0, 'other.test has another address: not probed');
  t.same(tripwire.peers(), [], 'hoster.test points outside the allowed networks: not probed');
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.sneaky.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'certificate' });
  t.notOk(steps.some((s) => s.kind === 'probe' && /^(hoster|other)\.test:/.test(s.subject)), 'no probe step for either name');
});
