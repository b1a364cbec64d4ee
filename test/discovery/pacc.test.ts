// PACC as a discovery source over loopback fakes: the document is used only when a _ua-auto-config TXT digest
// matches its exact bytes (tag rules of -03 section 5.2.2.2), then it ranks above the domain's autoconfig file;
// an unverified one is ignored with the reason; the fetch is guarded, capped and timed.
import t from 'tap';
import { createHash } from 'node:crypto';
import { parseDigestRecord, verifyDigest, configFromPacc } from '../../src/discovery/pacc.js';
import { canonicalJson, renderPacc } from '../../src/formats/pacc.js';
import { parseAddress } from '../../src/settings/address.js';
import type { LookupStep } from '../../src/settings/steps.js';
import { startWorld } from '../helpers/discovery-world.js';
import { clientConfigXml } from '../helpers/fake-web.js';
import { startTripwire } from '../helpers/tripwire.js';

const PATH = '/.well-known/user-agent-configuration.json';
const doc = (domain: string, extra: Record<string, unknown> = {}) =>
  canonicalJson({
    authentication: { 'oauth-public': { issuer: `https://login.${domain}` }, password: true },
    info: { provider: { name: `PACC ${domain}`, shortName: 'PACC', logo: [{ url: `https://${domain}/l.svg`, 'content-type': 'image/svg+xml' }] }, help: { documentation: `https://${domain}/help`, developer: `https://dev.${domain}/`, contact: [`mailto:ops@${domain}`] } },
    protocols: { imap: { host: `imap.${domain}` }, smtp: { host: `smtp.${domain}` }, caldav: { url: `https://dav.${domain}/cal/` }, jmap: { url: `https://jmap.${domain}/session` } },
    ...extra,
  } as never);
const digestOf = (body: string) => createHash('sha256').update(Buffer.from(body, 'utf8')).digest('base64');
const record = (body: string) => `v=UAAC1; a=sha256; d=${digestOf(body)}`;

const BODY = doc('pv.test');
const SPLIT_BODY = doc('split.test');
const SUBMIT_BODY = canonicalJson({ info: { provider: { name: 'S' } }, protocols: { imap: { host: 'imap.submit.test' }, submit: { host: 'out.submit.test' } } });
const BIG_BODY = doc('big.test', { padding: 'x'.repeat(70 * 1024) });

const world = await startWorld(
  {
    'ua-auto-config.pv.test': { A: ['127.0.2.40'] },
    '_ua-auto-config.pv.test': { TXT: ['v=spf1 -all', `v=UAAC1; a=sha256; d=${digestOf('an older document')}`, record(BODY)] },
    'autoconfig.pv.test': { A: ['127.0.2.41'] },
    // A document whose TXT vouches for other bytes; the autoconfig file must win.
    'ua-auto-config.bad.test': { A: ['127.0.2.40'] },
    '_ua-auto-config.bad.test': { TXT: [record(`${doc('bad.test')} `)] },
    'autoconfig.bad.test': { A: ['127.0.2.41'] },
    // No TXT at all.
    'ua-auto-config.notxt.test': { A: ['127.0.2.40'] },
    'autoconfig.notxt.test': { A: ['127.0.2.41'] },
    // The record split into character-strings, tags reordered, blanks and a trailing ";", an unknown tag.
    'ua-auto-config.split.test': { A: ['127.0.2.40'] },
    '_ua-auto-config.split.test': { TXT: [[` d = ${digestOf(SPLIT_BODY).slice(0, 20)}`, `${digestOf(SPLIT_BODY).slice(20)} ; x=1; a=sha256 ;v=UAAC1;`]] },
    'ua-auto-config.submit.test': { A: ['127.0.2.40'] },
    '_ua-auto-config.submit.test': { TXT: [record(SUBMIT_BODY)] },
    // Refused: a forbidden address, an oversized body, a server that never answers.
    'ua-auto-config.guard.test': { A: ['127.0.5.5'] },
    '_ua-auto-config.guard.test': { TXT: [record(BODY)] },
    'ua-auto-config.big.test': { A: ['127.0.2.40'] },
    '_ua-auto-config.big.test': { TXT: [record(BIG_BODY)] },
    'ua-auto-config.slow.test': { A: ['127.0.2.42'] },
    '_ua-auto-config.slow.test': { TXT: [record(doc('slow.test'))] },
  },
  ['pv.test', 'bad.test', 'notxt.test', 'split.test', 'submit.test', 'guard.test', 'big.test', 'slow.test'],
);
t.teardown(() => world.close());

const pacc = await world.web('127.0.2.40', {
  pem: world.pki.valid,
  routes: {
    [`ua-auto-config.pv.test${PATH}`]: BODY,
    [`ua-auto-config.bad.test${PATH}`]: doc('bad.test'),
    [`ua-auto-config.notxt.test${PATH}`]: doc('notxt.test'),
    [`ua-auto-config.split.test${PATH}`]: SPLIT_BODY,
    [`ua-auto-config.submit.test${PATH}`]: SUBMIT_BODY,
    [`ua-auto-config.big.test${PATH}`]: BIG_BODY,
  },
});
const autoconfig = await world.web('127.0.2.41', {
  pem: world.pki.valid,
  routes: Object.fromEntries(['pv.test', 'bad.test', 'notxt.test'].map((d) => [`autoconfig.${d}/mail/config-v1.1.xml`, clientConfigXml(d, [{ type: 'imap', host: `legacy.${d}`, port: 143, socketType: 'STARTTLS' }, { type: 'smtp', host: `legacy.${d}`, port: 587, socketType: 'STARTTLS' }])])),
});
await world.web('127.0.2.42', { pem: world.pki.valid, delayMs: 3000, routes: { [PATH]: doc('slow.test') } });

const step = (steps: readonly LookupStep[], name: string) => steps.find((s) => s.kind === name);

t.test('a verified document ranks first, above the domain autoconfig file', async (t) => {
  const { config, steps } = await world.resolver().resolve('pv.test', parseAddress('alice@pv.test'));
  t.match(step(steps, 'pacc'), { outcome: 'found', detail: /ua-auto-config\.pv\.test\/\.well-known\/user-agent-configuration\.json verified by _ua-auto-config\.pv\.test/ });
  t.same(config?.servers.map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security} ${s.username} ${s.auth.join('/')}`), ['imap imap.pv.test:993 tls %EMAILADDRESS% OAuth2/password-cleartext', 'smtp smtp.pv.test:465 tls %EMAILADDRESS% OAuth2/password-cleartext']);
  t.same(config?.services?.map((s) => `${s.protocol} ${s.url}`), ['jmap https://jmap.pv.test/session', 'caldav https://dav.pv.test/cal/']);
  t.match(config, { displayName: 'PACC pv.test', displayShortName: 'PACC', oauth2: { issuer: 'https://login.pv.test' }, developerUrl: 'https://dev.pv.test/', contacts: ['mailto:ops@pv.test'], documentation: [{ url: 'https://pv.test/help' }], logos: [{ contentType: 'image/svg+xml' }] });
  t.match(config?.source, { kind: 'autoconfig', confidence: 'high', evidence: { format: 'pacc', digest: record(BODY) } });
  t.ok(pacc.requests().includes(`ua-auto-config.pv.test${PATH}`), 'fetched with the name in Host');
});

t.test('a digest that does not match the bytes: ignored, explained, the next source answers', async (t) => {
  const { config, steps } = await world.resolver().resolve('bad.test');
  t.match(step(steps, 'pacc'), { outcome: 'nothing', detail: /not verified by _ua-auto-config\.bad\.test, ignored \(.*digest does not match the document/ });
  t.equal(config?.servers[0]?.host, 'legacy.bad.test', 'the autoconfig file answered');
  const none = await world.resolver().resolve('notxt.test');
  t.match(step(none.steps, 'pacc'), { outcome: 'nothing', detail: /has no UAAC1 TXT record: unverified, ignored/ });
  t.equal(none.config?.servers[0]?.host, 'legacy.notxt.test');
  t.ok(autoconfig.requests().length >= 2);
});

t.test('a record split into strings, tags in any order with blanks, a trailing ";" and unknown tags verifies', async (t) => {
  const { config, steps } = await world.resolver().resolve('split.test');
  t.match(step(steps, 'pacc'), { outcome: 'found' });
  t.equal(config?.servers[0]?.host, 'imap.split.test');
});

t.test('submit is read as smtp', async (t) => {
  const { config } = await world.resolver().resolve('submit.test');
  t.same(config?.servers.map((s) => `${s.protocol} ${s.host}:${s.port}`), ['imap imap.submit.test:993', 'smtp out.submit.test:465']);
});

t.test('address guard, size cap and timeout apply to the fetch', async (t) => {
  const tripwire = await startTripwire('127.0.5.5');
  t.teardown(() => tripwire.close());
  world.route('127.0.5.5', 443, tripwire.port);
  const guarded = await world.resolver().resolve('guard.test');
  t.match(step(guarded.steps, 'pacc'), { detail: /127\.0\.5\.5 refused/ });
  t.equal(tripwire.connections(), 0, 'never connected');
  const big = await world.resolver().resolve('big.test');
  t.match(step(big.steps, 'pacc'), { outcome: 'failed', detail: /larger than 65536/ });
  const slow = await world.resolver({ fetchTimeoutMs: 300 }).resolve('slow.test');
  t.match(step(slow.steps, 'pacc'), { outcome: 'failed', detail: /no answer within 300 ms/ });
});

t.test('the TXT tag rules', async (t) => {
  const d = digestOf('x');
  t.match(parseDigestRecord([`v=UAAC1; a=sha256; d=${d}`]), { ok: true });
  t.match(parseDigestRecord([`v=UAAC1;a=sha256;d=${d};`]), { ok: true }, 'one trailing ;');
  t.match(parseDigestRecord([`v = UAAC1 ;  d=${d} ; a = sha256 ; future=yes`]), { ok: true }, 'blanks, order, unknown tag');
  t.match(parseDigestRecord(['v=UAAC1; a=sh', `a256; d=${d}`]), { ok: true }, 'strings joined without a separator');
  t.same(parseDigestRecord([`v=UAAC1; a=sha256; d=${d}; d=${d}`]), { ok: false, reason: 'tag d given twice' });
  t.same(parseDigestRecord([`v=UAAC1; v=UAAC1; a=sha256; d=${d}`]), { ok: false, reason: 'tag v given twice' });
  t.same(parseDigestRecord([`v=UAAC1; a=sha256; a=sha256; d=${d}`]), { ok: false, reason: 'tag a given twice' });
  t.same(parseDigestRecord([`v=UAAC2; a=sha256; d=${d}`]), { ok: false, reason: 'version UAAC2 is not UAAC1' });
  t.same(parseDigestRecord([`v=UAAC1; a=sha512; d=${d}`]), { ok: false, reason: 'algorithm sha512 is not sha256' });
  t.same(parseDigestRecord(['v=UAAC1; a=sha256; d=AAAA']), { ok: false, reason: 'd= is not 32 bytes in base64' });
  t.same(parseDigestRecord(['v=UAAC1; a=sha256']), { ok: false, reason: 'no d= digest' });
  t.same(parseDigestRecord([`v=UAAC1;; a=sha256; d=${d}`]), { ok: false, reason: 'an empty tag' });
  t.same(parseDigestRecord([`v=UAAC1; a=sha256; d=${d};;`]), { ok: false, reason: 'an empty tag' }, 'only one trailing ;');
  t.match(parseDigestRecord([`v=UAAC1; junk; a=sha256; d=${d}`]), { ok: false, reason: '"junk" is not tag=value' });
  // Found by test/discovery/pacc.property.test.ts: a record's markup came back raw in the reason (the check page shows it).
  t.same(parseDigestRecord([`v=<script>x</script>UAAC1; a=sha256; d=${d}`]), { ok: false, reason: 'version (a value with markup, quotes or control characters) is not UAAC1' });
  t.same(parseDigestRecord([`v=UAAC1; <b>junk</b>; a=sha256; d=${d}`]), { ok: false, reason: '(a value with markup, quotes or control characters) is not tag=value' });
  t.same(parseDigestRecord([`v=UAAC1; a=sha\u001b[2J256; d=${d}`]), { ok: false, reason: 'algorithm (a value with markup, quotes or control characters) is not sha256' });
  // Several records: any one matching wins; the reasons of the others are kept for the explanation.
  const body = Buffer.from('{"protocols":{}}');
  const good = [`v=UAAC1; a=sha256; d=${createHash('sha256').update(body).digest('base64')}`];
  t.match(verifyDigest(body, [['v=UAAC1; a=sha256; d=AAAA'], good]), { verified: true, record: good[0] });
  t.match(verifyDigest(body, [['v=UAAC1; a=sha256; d=AAAA']]), { verified: false, reasons: [/not 32 bytes/] });
  t.match(verifyDigest(Buffer.from('{"protocols":{} }'), [good]), { verified: false, reasons: [/digest does not match/] }, 'one byte more: no match');
});

t.test('reading our own PACC rendering gives the servers back (smtp and submit alike)', async (t) => {
  const source = { kind: 'autoconfig', detail: 'x', confidence: 'high' } as const;
  const body = JSON.parse(BODY) as Record<string, unknown>;
  const read = configFromPacc(BODY, 'pv.test', source);
  t.ok(read.ok);
  if (!read.ok) return;
  const again = renderPacc(read.config, 'pv.test');
  t.ok(again.ok);
  if (again.ok) t.same(JSON.parse(again.body), body, 'document -> model -> document is the same document');
  t.match(configFromPacc('{', 'x.test', source), { ok: false, reason: /not JSON/ });
  t.match(configFromPacc('{"protocols":{"smtp":{"host":"s.x.test"}}}', 'x.test', source), { ok: false, reason: 'no IMAP, POP3 or JMAP in "protocols"' });
  t.match(configFromPacc('{"authentication":{"password":false},"protocols":{"imap":{"host":"i.x.test"}}}', 'x.test', source), { ok: false, reason: /no way to log in/ });
  const odd = configFromPacc('{"protocols":{"imap":{"host":"not a host"},"pop3":{"host":"p.x.test"},"caldav":{"url":"http://c.x.test/"},"xmpp":{}}}', 'x.test', source);
  t.match(odd, { ok: true, ignored: ['protocols.imap (no valid host)', 'protocols.caldav (no https url)', 'protocols.xmpp (not known here)'] });
});
