// Port probing of guessed hosts: what really answers is offered, a bad certificate or a failing STARTTLS is not
// offered as secure, and plain text only when nothing else exists.
import t from 'tap';
import { stepLabel } from '../../src/settings/steps.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { startWorld } from '../helpers/discovery-world.js';
import { startTripwire } from '../helpers/tripwire.js';

const world = await startWorld(
  {
    'imap.probe.test': { A: ['127.0.2.40'] },
    'smtp.probe.test': { A: ['127.0.2.40'] },
    // A bad certificate on imap.D, a good one on mail.D.
    'imap.badcert.test': { A: ['127.0.2.41'] },
    'mail.badcert.test': { A: ['127.0.2.42'] },
    // STARTTLS advertised but refused, nothing else.
    'imap.stls.test': { A: ['127.0.2.43'] },
    // STARTTLS refused next to a working implicit-TLS port.
    'imap.stls2.test': { A: ['127.0.2.44'] },
    // POP3 only.
    'pop3.pop.test': { A: ['127.0.2.45'] },
    'smtp.pop.test': { A: ['127.0.2.45'] },
    // An old TLS version on 993, TLS 1.2 behind STARTTLS on 143.
    'imap.oldtls.test': { A: ['127.0.2.46'] },
    // Nothing but an old TLS version.
    'imap.onlyold.test': { A: ['127.0.2.48'] },
    // Two SRV targets: the preferred one accepts and never greets (the other spelled in upper case, absolute).
    '_imaps._tcp.fallback.test': { SRV: [{ priority: 10, weight: 1, port: 993, target: 'Backup.Fallback.TEST.' }, { priority: 0, weight: 1, port: 993, target: 'dead.fallback.test' }] },
    'dead.fallback.test': { A: ['127.0.2.49'] },
    'backup.fallback.test': { A: ['127.0.2.39'] },
    // Self-hosted: only the MX host exists, and runs IMAP and submission.
    'selfhost.test': { MX: [{ exchange: 'MX.SelfHost.Test.', priority: 10 }] },
    'mx.selfhost.test': { A: ['127.0.2.38'] },
    // An MX host whose certificate names another host.
    'wrongmx.test': { MX: [{ exchange: 'mx.wrongmx.test', priority: 10 }] },
    'mx.wrongmx.test': { A: ['127.0.2.37'] },
    // No encryption offered at all.
    'imap.plain.test': { A: ['127.0.2.47'] },
  },
  ['probe.test', 'fallback.test', 'selfhost.test', 'wrongmx.test', 'badcert.test', 'stls.test', 'stls2.test', 'pop.test', 'oldtls.test', 'onlyold.test', 'plain.test'],
);
t.teardown(() => world.close());

const summary = (servers: ServerSettings[] | undefined) => (servers ?? []).map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security} ${s.source.kind}`);

t.test('probing only: the guessed hosts that answer, with their evidence', async (t) => {
  await world.imap('127.0.2.40', 993, { mode: 'tls', pem: world.pki.valid, capabilities: ['IMAP4rev1', 'AUTH=PLAIN', 'AUTH=XOAUTH2'] });
  await world.imap('127.0.2.40', 143, { mode: 'starttls', pem: world.pki.valid });
  await world.smtp('127.0.2.40', 465, { mode: 'tls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('probe.test');
  t.equal(summary(config?.servers)[0], 'imap imap.probe.test:993 tls probe', 'implicit TLS first');
  t.ok(summary(config?.servers).includes('smtp smtp.probe.test:465 tls probe'));
  // 143 starts after 993's head start; once 993 answered, the worse-ranked STARTTLS try is cancelled unless it had already finished.
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.probe.test:143 (imap, STARTTLS)'), { outcome: /^(skipped|found)$/ });
  const imap = config!.servers[0]!;
  t.same(imap.auth, ['password-cleartext', 'OAuth2'], 'authentication read from the capabilities');
  t.match(imap.source, { confidence: 'medium', evidence: { address: '127.0.2.40', certificate: { trusted: true } } });
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.probe.test:993 (imap, TLS)'), { outcome: 'found' });
});

t.test('a host with a bad certificate beside a good one: only the good one is offered', async (t) => {
  await world.imap('127.0.2.41', 993, { mode: 'tls', pem: world.pki.expired });
  await world.imap('127.0.2.41', 143, { mode: 'starttls', pem: world.pki.unknownCa });
  await world.imap('127.0.2.42', 993, { mode: 'tls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('badcert.test');
  t.same(summary(config?.servers).filter((s) => s.startsWith('imap')), ['imap mail.badcert.test:993 tls probe']);
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.badcert.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'certificate', detail: /expired/ });
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.badcert.test:143 (imap, STARTTLS)'), { outcome: 'failed', detail: /not trusted/ });
});

t.test('STARTTLS advertised but failing: offered neither as STARTTLS nor as plain (a downgrade)', async (t) => {
  await world.imap('127.0.2.43', 143, { mode: 'starttls', pem: world.pki.valid, starttlsFails: true });
  const { config, steps } = await world.resolver().resolve('stls.test');
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.stls.test:143 (imap, STARTTLS)'), { outcome: 'failed', failure: 'protocol', detail: /STARTTLS refused/ });
  t.same(summary(config?.servers.filter((s) => s.protocol === 'imap')), [], 'never offered');

  await world.imap('127.0.2.44', 143, { mode: 'starttls', pem: world.pki.valid, starttlsFails: true });
  await world.imap('127.0.2.44', 993, { mode: 'tls', pem: world.pki.valid });
  const other = await world.resolver().resolve('stls2.test');
  t.same(summary(other.config?.servers), ['imap imap.stls2.test:993 tls probe'], 'no plain text when TLS exists');
});

t.test('a server that never offers encryption: plain only as the last resort, flagged insecure', async (t) => {
  await world.imap('127.0.2.47', 143, { mode: 'none' });
  const { config } = await world.resolver().resolve('plain.test');
  const imap = config?.servers.filter((s) => s.protocol === 'imap');
  t.same(summary(imap), ['imap imap.plain.test:143 none probe']);
  t.match(imap?.[0], { source: { confidence: 'low', evidence: { insecure: true } }, warnings: [/insecure: no encryption/] });
});

t.test('POP3 only', async (t) => {
  await world.pop3('127.0.2.45', 995, { mode: 'tls', pem: world.pki.valid });
  await world.smtp('127.0.2.45', 587, { mode: 'starttls', pem: world.pki.valid });
  const { config } = await world.resolver().resolve('pop.test');
  t.same(summary(config?.servers), ['pop3 pop3.pop.test:995 tls probe', 'smtp smtp.pop.test:587 starttls probe']);
  t.same(config?.servers[0]?.auth, ['password-cleartext']);
});

t.test('TLS below 1.2 is a finding, not SSL/TLS: STARTTLS with TLS 1.2 on 143 is offered instead', async (t) => {
  await world.imap('127.0.2.46', 993, { mode: 'tls', pem: world.pki.valid, tlsMaxVersion: 'TLSv1.1' });
  await world.imap('127.0.2.46', 143, { mode: 'starttls', pem: world.pki.valid });
  const { config, steps } = await world.resolver().resolve('oldtls.test');
  t.same(summary(config?.servers.filter((s) => s.protocol === 'imap')), ['imap imap.oldtls.test:143 starttls probe']);
  t.match(config?.servers[0], { source: { evidence: { tlsVersion: /^TLSv1\.[23]$/ } } });
  t.match(steps.find((s) => stepLabel(s) === 'probe imap.oldtls.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'tls', detail: /only TLS 1\.1 or older, deprecated \(RFC 8996/ });
});

t.test('a server with nothing newer than TLS 1.1 is not offered at all, and the steps say why', async (t) => {
  await world.imap('127.0.2.48', 993, { mode: 'tls', pem: world.pki.valid, tlsMaxVersion: 'TLSv1' });
  await world.imap('127.0.2.48', 143, { mode: 'starttls', pem: world.pki.valid, tlsMaxVersion: 'TLSv1.1' });
  const { config, steps } = await world.resolver().resolve('onlyold.test');
  t.equal(config, undefined, 'neither as SSL/TLS, nor as STARTTLS, nor as plain');
  for (const label of ['probe imap.onlyold.test:993 (imap, TLS)', 'probe imap.onlyold.test:143 (imap, STARTTLS)']) {
    t.match(steps.find((s) => stepLabel(s) === label), { outcome: 'failed', failure: 'tls', detail: /only TLS 1\.1 or older/ }, label);
  }
});

t.test('a preferred SRV target that accepts and never greets: the next one starts after a head start and answers', async (t) => {
  const dead = await world.imap('127.0.2.49', 993, { mode: 'tls', pem: world.pki.valid, neverGreet: true });
  const backup = await world.imap('127.0.2.39', 993, { mode: 'tls', pem: world.pki.valid });
  // Timeouts far beyond the patience: a lookup that waited for the dead target would end with its timeout instead.
  const { config, steps } = await world.resolver({ probeTimeoutMs: 20_000, lookupTimeoutMs: 30_000 }).resolve('fallback.test');
  t.same(summary(config?.servers), ['imap backup.fallback.test:993 tls srv'], 'the priority-10 target is used');
  t.match(steps.find((s) => stepLabel(s) === 'probe dead.fallback.test:993 (imap, TLS)'), {
    outcome: 'skipped',
    failure: 'cancelled',
    detail: /^no answer within 1200 ms while backup\.fallback\.test:993 \(imap, TLS\) answered$/,
  });
  t.ok(dead.connections() === 1 && backup.connections() === 1, 'each tried once');
});

t.test('self-hosted: imap.D, mail.D, smtp.D do not exist, the MX host runs IMAP and submission', async (t) => {
  await world.imap('127.0.2.38', 993, { mode: 'tls', pem: world.pki.valid });
  await world.smtp('127.0.2.38', 587, { mode: 'starttls', pem: world.pki.valid });
  // Port 25 of the MX host is where mail arrives: never asked for sending.
  const inbound = await startTripwire('127.0.2.38');
  t.teardown(() => inbound.close());
  world.route('127.0.2.38', 25, inbound.port);
  const { config, steps } = await world.resolver().resolve('selfhost.test');
  t.same(summary(config?.servers), ['imap mx.selfhost.test:993 tls probe', 'smtp mx.selfhost.test:587 starttls probe']);
  t.match(config?.servers[0]?.source, { confidence: 'medium', evidence: { guessedFrom: 'the MX host itself (self-hosted mail)', certificate: { nameMatches: true } } });
  t.notOk(config?.servers[0]?.warnings, 'inside the domain, nothing to confirm');
  t.same(inbound.peers(), [], 'port 25 of the MX host was not probed');
  t.match(steps.find((s) => stepLabel(s) === 'host imap.selfhost.test'), { outcome: 'nothing' }, 'the usual guesses came first');
});

t.test('the MX host is not offered when its certificate does not name it', async (t) => {
  await world.imap('127.0.2.37', 993, { mode: 'tls', pem: world.pki.wrongName });
  const { config, steps } = await world.resolver().resolve('wrongmx.test');
  t.equal(config, undefined);
  t.match(steps.find((s) => stepLabel(s) === 'probe mx.wrongmx.test:993 (imap, TLS)'), { outcome: 'failed', failure: 'certificate', detail: /does not name mx\.wrongmx\.test/ });
});
