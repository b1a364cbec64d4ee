// `mailconfig check` in-process against the check world (test/helpers/check-world.ts): fake DNS on loopback, the
// service's front and the hoster's mail servers on 127.0.1.0/24. MAILCONFIG_DNS points at the fake DNS and the
// providers directory holds only the world's two files, so no real domain is ever looked up or contacted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CHECK_IDS } from '../../src/check/types.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { DOMAINS, SERVICE_HOST, startCheckWorld } from '../helpers/check-world.js';

const world = await startCheckWorld();
const providers = await mkdtemp(join(tmpdir(), 'mailconfig-check-cli-'));
for (const [file, xml] of Object.entries(world.providerFiles)) await writeFile(join(providers, file), xml);
t.teardown(async () => {
  await world.close();
  await rm(providers, { recursive: true, force: true });
});

const ENV = { ...world.env, MAILCONFIG_PROVIDERS: providers };
const { ca, mapPort } = world.options();
const check = (args: string[], onWrite?: (stream: 'stdout' | 'stderr', text: string) => void) =>
  runCli(['check', ...args], { env: ENV, network: { ca: ca!, mapPort: mapPort! }, ...(onWrite ? { onWrite } : {}) });

/** The progress lines of the checks (status, id, sentence), in the order they were written. */
const CHECK_LINE = /^(ok {2}|warn|FAIL|info) (\S+)\s+\S/;
const checkLines = (run: CliRun) =>
  run.writes.flatMap((w, i) => (w.stream === 'stderr' ? w.text.split('\n').filter((l) => CHECK_LINE.test(l)).map((line) => ({ line, id: CHECK_LINE.exec(line)![2]!, at: i })) : []));

t.test('a correctly set-up domain: a line per check as it finishes, then the zone lines', async (t) => {
  const run = await check([DOMAINS.good]);
  t.equal(run.code, 0, run.stderr);
  const lines = checkLines(run);
  t.same(lines.map((l) => l.id).sort(), [...CHECK_IDS].sort(), 'one line per check');
  t.equal(new Set(lines.map((l) => l.at)).size, CHECK_IDS.length, 'each check is its own write, as it is decided');
  t.match(run.stderr, /^ok {3}mx {11}Mail for good\.example goes to in\.mx\.hoster\.example, a mail host of Hoster Mail\.$/m);
  t.match(run.stderr, /^good\.example: 0 failed, 0 warnings, 6 ok, 2 notes$/m);
  t.notMatch(run.stderr, /fix:/, 'nothing to fix');
  const firstOut = run.writes.findIndex((w) => w.stream === 'stdout');
  t.ok(firstOut > Math.max(...lines.map((l) => l.at)), 'every check line is written before the records');
  t.match(run.stdout, new RegExp(`^autoconfig\\.good\\.example\\. 3600 IN CNAME ${SERVICE_HOST}\\.$`, 'm'));
  t.match(run.stdout, /^; DNS records for good\.example/);
  t.notMatch(run.stdout, /^; (add|change)/m);
});

t.test('a check\'s line is written while other checks still wait for DNS', async (t) => {
  // The _imaps._tcp SRV answer is held back until the mx line is out: srv, caldav and carddav cannot be decided
  // before. Had the lines waited for the whole report, that query would have run out of time first and srv would
  // say the record is missing instead of ok.
  const held = `SRV _imaps._tcp.${DOMAINS.good}`;
  const release = world.dns.hold(held);
  t.teardown(release);
  let whenMx: { stderr: string; stdout: string; asked: boolean } | undefined;
  let stderr = '';
  let stdout = '';
  const run = await check([DOMAINS.good], (stream, text) => {
    if (stream === 'stdout') stdout += text;
    else stderr += text;
    if (!whenMx && /^ok {3}mx /m.test(stderr)) {
      whenMx = { stderr, stdout, asked: world.dns.queries().includes(held) };
      release();
    }
  });
  t.equal(run.code, 0, run.stderr);
  t.ok(whenMx, 'the mx line was written while the SRV answer was held');
  t.notMatch(whenMx?.stderr, /^\S+\s+(srv|caldav|carddav) /m, 'no line yet for the checks that wait for it');
  t.equal(whenMx?.stdout, '', 'no records yet');
  t.equal(whenMx?.asked, true, 'the held question had been asked');
  t.match(run.stderr, /^ok {3}srv /m, 'srv decided from the answer, released in time');
});

t.test('a broken domain: exit 1, the FAIL line and its fix', async (t) => {
  const run = await check([DOMAINS.stale]);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stderr, /^FAIL pacc {9}The digest in _ua-auto-config\.stale\.example does not match the document ua-auto-config\.stale\.example serves/m);
  const fix = `fix: Replace the TXT record with: _ua-auto-config.stale.example. 3600 IN TXT "v=UAAC1; a=sha256; d=${world.paccDigest(DOMAINS.stale)}"`;
  const lines = run.stderr.split('\n');
  const failAt = lines.findIndex((l) => l.startsWith('FAIL pacc'));
  t.equal(lines[failAt + 1]?.trim(), fix, 'the fix on the line after');
  t.match(run.stdout, /^; change \(now "v=UAAC1; a=sha256; d=[^"]+"\): PACC digest/m);
});

t.test('--json: stdout is the JSON API document alone, with all eight checks', async (t) => {
  const run = await check([DOMAINS.cname, '--json']);
  t.equal(run.code, 1);
  const doc = JSON.parse(run.stdout) as { domain: string; checks: Record<string, unknown>[]; records: string };
  t.equal(doc.domain, DOMAINS.cname);
  t.same(doc.checks.map((c) => c.id), [...CHECK_IDS], 'the fixed order');
  t.same(Object.keys(doc.checks[0]!).sort(), ['fix', 'id', 'message', 'status'], 'English sentences only, as the API gives them');
  t.match(doc.checks.find((c) => c.id === 'autoconfig'), { status: 'fail', message: /is a CNAME for other-host\.example/ });
  t.equal(checkLines(run).length, CHECK_IDS.length, 'the progress lines still go to stderr');
});

t.test('--all: every database domain, a summary table, exit 1 when any fails', async (t) => {
  const run = await check(['--all', '--concurrency', '3']);
  t.equal(run.code, 1, run.stderr);
  const [header, ...rows] = run.stdout.trimEnd().split('\n');
  t.same(header?.split(/\s+/), ['DOMAIN', ...CHECK_IDS.map((id) => id.toUpperCase())]);
  t.match(run.stdout, /^good\.example\s+ok\s+ok\s+ok\s+ok\s+ok\s+info\s+info\s+ok\s*$/m);
  t.match(run.stdout, /^stale\.example\s+ok\s+ok\s+ok\s+ok\s+fail\s+/m);
  t.match(run.stdout, /^othermx\.example\s+fail\s+/m);
  const domains = world.hoster.config.domains.length + 1; // the hoster's, and bigmail.example
  t.equal(rows.at(-1), `${domains} domains checked, ${domains - 1} with a failed check`, "all but good.example: five mistakes, and the providers' own domains have no MX");
  t.equal(run.stderr.match(/^checked \S+ \(\d+\/\d+\)$/gm)?.length, domains, 'a progress line per domain when not on a terminal');
});

t.test('bad input: exit 2, what was wrong, never the input itself', async (t) => {
  const markup = await check(['a<b>.example']);
  t.equal(markup.code, 2);
  t.match(markup.stderr, /the argument is not a domain name: it has characters or labels a domain name cannot have \(MAILCONFIG_ADDRESS_DOMAIN_INVALID\)/);
  t.notMatch(markup.stderr, /a<b>|<b>/);
  t.equal(markup.stdout, '');

  const harmless = await check(['no_dot']);
  t.equal(harmless.code, 2);
  t.match(harmless.stderr, /needs at least one dot/);
  t.notMatch(harmless.stderr, /no_dot/);

  const none = await check([]);
  t.equal(none.code, 2);
  t.match(none.stderr, /give one domain, or --all/);

  for (const value of ['0', '33', '<x>', '4x']) {
    const run = await check(['--all', '--concurrency', value]);
    t.equal(run.code, 2, value);
    t.match(run.stderr, /--concurrency must be a whole number from 1 to 32/);
    t.notOk(run.stderr.includes(`"${value}"`) || run.stderr.includes('<x>'), `${value} is not echoed`);
  }

  const option = await check(['--<script>', DOMAINS.good]);
  t.equal(option.code, 2);
  t.match(option.stderr, /an option is not known/);
  t.notMatch(option.stderr, /script/);
});
