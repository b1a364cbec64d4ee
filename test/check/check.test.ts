// The domain check against a fake network on loopback: one domain set up right, one per mistake. Each mistake
// gets its status and fix; the zone lines parse as a zone file and carry the digest of the PACC document served.
import t from 'tap';
import zonefile from 'dns-zonefile';
import { DomainChecker } from '../../src/check/checker.js';
import { DnsClient, type Resolver } from '../../src/discovery/dns.js';
import { CHECK_IDS, type Check, type CheckId, type CheckReport } from '../../src/check/types.js';
import { DOMAINS, SERVICE_HOST, startCheckWorld } from '../helpers/check-world.js';
import { startTripwire } from '../helpers/tripwire.js';

const world = await startCheckWorld();
t.teardown(() => world.close());
const checker = new DomainChecker(world.store, world.options());
const byId = (report: CheckReport, id: Check['id']) => report.checks.find((c) => c.id === id)!;

t.test('a correctly set-up domain: every check ok, every zone line already published', async (t) => {
  const report = await checker.check(DOMAINS.good);
  t.same(report.checks.map((c) => `${c.id}:${c.status}`), ['mx:ok', 'autoconfig:ok', 'autodiscover:ok', 'srv:ok', 'pacc:ok', 'caldav:info', 'carddav:info', 'servers:ok'], report.checks.map((c) => c.message).join('\n'));
  t.notMatch(report.records, /^; (add|change)/m, 'nothing to add or change');
  const zone = zonefile.parse(report.records);
  const txt = zone.txt?.find((r) => r.name === `_ua-auto-config.${DOMAINS.good}.`);
  t.ok(txt?.txt.includes(`d=${world.paccDigest(DOMAINS.good)}`), 'the TXT line carries the digest of the served document');
  t.same(zone.cname?.map((r) => `${r.name} ${r.alias}`).sort(), ['autoconfig', 'autodiscover', 'ua-auto-config'].map((l) => `${l}.${DOMAINS.good}. ${SERVICE_HOST}.`));
  t.ok(zone.srv?.some((r) => r.name === `_imaps._tcp.${DOMAINS.good}.` && r.port === 993 && r.target === 'imap.hoster.example.'));
});

t.test('CNAME pointing elsewhere', async (t) => {
  const report = await checker.check(DOMAINS.cname);
  const c = byId(report, 'autoconfig');
  t.equal(c.status, 'fail');
  t.match(c.message, /autoconfig\.cname\.example is a CNAME for other-host\.example, not for this service/);
  t.match(c.fix, new RegExp(`autoconfig\\.cname\\.example\\. 3600 IN CNAME ${SERVICE_HOST}\\.`));
  t.match(report.records, /^; change \(now CNAME other-host\.example\.\): Thunderbird autoconfig/m);
  t.equal(byId(report, 'autodiscover').status, 'ok', 'the other names are right');
});

t.test('expired certificate on autodiscover', async (t) => {
  const report = await checker.check(DOMAINS.cert);
  const c = byId(report, 'autodiscover');
  t.equal(c.status, 'fail');
  t.match(c.message, /certificate .* is not valid .*expired/i);
  t.match(c.fix, /certificate for autodiscover\.cert\.example/);
  t.equal(byId(report, 'autoconfig').status, 'ok');
});

t.test('SRV pointing at the wrong port', async (t) => {
  const report = await checker.check(DOMAINS.srvPort);
  const c = byId(report, 'srv');
  t.equal(c.status, 'fail');
  t.match(c.message, /_imaps\._tcp\.srvport\.example says 0 1 143 imap\.hoster\.example\., should be 0 1 993 imap\.hoster\.example\./);
  t.match(report.records, /^; change \(now 0 1 143 imap\.hoster\.example\.\): RFC 6186 IMAP implicit TLS\n_imaps\._tcp\.srvport\.example\.\s+3600 IN SRV 0 1 993 imap\.hoster\.example\.$/m);
});

t.test('PACC TXT with a stale digest', async (t) => {
  const report = await checker.check(DOMAINS.stale);
  const c = byId(report, 'pacc');
  t.equal(c.status, 'fail');
  t.match(c.message, /does not match the document/);
  t.match(c.fix, `d=${world.paccDigest(DOMAINS.stale)}`);
  const zone = zonefile.parse(report.records);
  t.ok(zone.txt?.some((r) => r.txt.includes(world.paccDigest(DOMAINS.stale))), 'the zone lines carry the served digest');
  t.match(report.records, /^; change \(now "v=UAAC1; a=sha256; d=[^"]+"\): PACC digest/m);
});

t.test('MX of another provider', async (t) => {
  const report = await checker.check(DOMAINS.otherMx);
  const c = byId(report, 'mx');
  t.equal(c.status, 'fail');
  t.match(c.message, /goes to in\.mx\.bigmail\.example \(Bigmail\), but this service hands out the settings of Hoster Mail/);
  t.match(c.fix, /Point the MX records at Hoster Mail/);
});

t.test('a domain nobody knows: info everywhere, no network beyond DNS', async (t) => {
  const report = await checker.check('unknown.example');
  t.same(report.checks.map((c) => c.status), ['fail', 'info', 'info', 'info', 'info', 'info', 'info', 'info']);
  t.match(report.records, /not known to this service/);
});

t.test('results are cached briefly: a second check runs nothing', async (t) => {
  const before = checker.runs;
  await checker.check(DOMAINS.good);
  t.equal(checker.runs, before);
});

t.test('the address guard: a name pointing outside the allowed network is never connected to', async (t) => {
  const wire = await startTripwire('127.0.5.5');
  t.teardown(() => wire.close());
  world.dns.setZone({ ...world.zone, [`autoconfig.${DOMAINS.good}`]: { A: ['127.0.5.5'] }, 'imap.hoster.example': { A: ['127.0.5.5'] } });
  t.teardown(() => world.dns.setZone(world.zone));
  const guarded = new DomainChecker(world.store, world.options({ mapPort: () => wire.port }));
  const report = await guarded.check(DOMAINS.good);
  t.equal(wire.connections(), 0, wire.peers().join(', '));
  t.equal(byId(report, 'autoconfig').status, 'fail');
  t.match(byId(report, 'autoconfig').message, /127\.0\.5\.5, which is not this service/);
  t.match(byId(report, 'servers').message, /imap\.hoster\.example resolves only to addresses that may not be used/);
});

/** A resolver that holds back one question until `open()`, and says when it was asked. */
function gatedResolver(question: { name: string; type: 'SRV' }) {
  const inner = new DnsClient({ servers: world.options().dnsServers, timeoutMs: 3000 });
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const resolver: Resolver = {
    async query(name, type, signal) {
      if (name === question.name && type === question.type) await opened;
      return inner.query(name, type, signal);
    },
  };
  return { resolver, open };
}

t.test('each check is reported as soon as it is decided, before the report; the report keeps the fixed order', async (t) => {
  // The CalDAV SRV question is held: srv, caldav and carddav need it, the other five do not.
  const gate = gatedResolver({ name: `_caldavs._tcp.${DOMAINS.good}`, type: 'SRV' });
  t.teardown(gate.open);
  const gated = new DomainChecker(world.store, world.options({ dns: gate.resolver }));
  const independent: CheckId[] = ['mx', 'autoconfig', 'autodiscover', 'pacc', 'servers'];
  const seen: CheckId[] = [];
  let resolved = false;
  let fiveSeen!: () => void;
  const five = new Promise<void>((resolve) => (fiveSeen = resolve));
  const done = gated
    .check(DOMAINS.good, {
      onCheck: (c) => {
        seen.push(c.id);
        if (independent.every((id) => seen.includes(id))) fiveSeen();
      },
    })
    .then((report) => {
      resolved = true;
      return report;
    });
  await five;
  t.same([...seen].sort(), [...independent].sort(), 'the five that do not need the held answer, while it is held');
  t.equal(resolved, false, 'check() has not resolved yet');
  gate.open();
  const report = await done;
  t.same(seen.slice(5).sort(), ['caldav', 'carddav', 'srv'], 'the rest once the answer came');
  t.same(report.checks.map((c) => c.id), [...CHECK_IDS], 'the report in the fixed order');
  t.equal(report.checks.find((c) => c.id === 'srv')?.status, 'ok');

  // From the cache: every check at once, in the report's order, before check() resolves.
  const replay: CheckId[] = [];
  const again = await gated.check(DOMAINS.good, { onCheck: (c) => replay.push(c.id) });
  t.equal(again, report, 'the cached report');
  t.same(replay, [...CHECK_IDS]);
});

t.test('a second caller joins a check under way: one run, both hear every check', async (t) => {
  const gate = gatedResolver({ name: `_caldavs._tcp.${DOMAINS.cname}`, type: 'SRV' });
  t.teardown(gate.open);
  const gated = new DomainChecker(world.store, world.options({ dns: gate.resolver }));
  const first: CheckId[] = [];
  let mxSeen!: () => void;
  const mx = new Promise<void>((resolve) => (mxSeen = resolve));
  const one = gated.check(DOMAINS.cname, {
    onCheck: (c) => {
      first.push(c.id);
      if (c.id === 'mx') mxSeen();
    },
  });
  await mx;
  const second: CheckId[] = [];
  const two = gated.check(DOMAINS.cname, { onCheck: (c) => second.push(c.id) });
  gate.open();
  const [a, b] = await Promise.all([one, two]);
  t.equal(a, b, 'the same report');
  t.equal(gated.runs, 1, 'one run');
  t.same([...first].sort(), [...CHECK_IDS].sort());
  t.same([...second].sort(), [...CHECK_IDS].sort(), 'the joiner got the decided checks replayed, then the rest');
  t.equal(second[0], 'mx', 'replayed first: what was decided before it joined');
});
