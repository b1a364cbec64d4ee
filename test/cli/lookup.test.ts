// `mailconfig lookup`: the same pipeline from the command line, against a fake DNS server on loopback.
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { startFakeDns } from '../helpers/fake-dns.js';

// cli.test's mail is hosted by a bundled provider (matched through its MX host); nothing else exists.
const dns = await startFakeDns({ zone: { 'cli.test': { MX: [{ exchange: 'mx01.posteo.de', priority: 10 }] } } });
t.teardown(() => dns.close());

const ENV = { MAILCONFIG_DNS: `${dns.address}:${dns.port}`, MAILCONFIG_LOOKUP_TIMEOUT: '3' };

/** `mailconfig lookup ...` in-process against the fake DNS; `tty` pretends stderr is a terminal. */
async function lookup(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const run = await runCli(['lookup', ...args], { env: { ...ENV, ...options.env }, ...(options.tty ? { tty: { columns: 120 } } : {}) });
  return { code: run.code, out: () => run.stdout, err: () => run.stderr };
}

t.test('prints the settings as a table and each step as a plain line when piped', async (t) => {
  const run = await lookup(['alice@cli.test', '--explain']);
  t.equal(run.code, 0);
  t.match(run.out(), /Settings for alice@cli\.test: Posteo/);
  t.match(run.out(), /IMAP\s+posteo\.de\s+993\s+SSL\/TLS\s+alice@cli\.test\s+password-cleartext\s+mx \(high\)/);
  t.match(run.out(), /Steps:\nstep\s+outcome\s+ms\s+detail\n/);
  t.match(run.err(), /^database: nothing: cli\.test is not in the provider database \(\d+ ms\)$/m);
  t.match(run.err(), /^mx: found: MX mx01\.posteo\.de: posteo\.de is in the provider database/m);
  // eslint-disable-next-line no-control-regex -- looking for terminal escape codes
  t.notMatch(run.err(), /\x1b/, 'no terminal codes when piped');
});

t.test('on a terminal: a progress line per step', async (t) => {
  const run = await lookup(['alice@cli.test'], { tty: true });
  t.equal(run.code, 0);
  // eslint-disable-next-line no-control-regex -- looking for terminal escape codes
  t.match(run.err(), /\r\x1b\[K\x1b\[32m✓\x1b\[0m mx: found/);
  t.match(run.err(), /looking up cli\.test: \d+ steps done/);
});

t.test('--json prints the JSON API document', async (t) => {
  const run = await lookup(['--json', 'bob@cli.test']);
  t.equal(run.code, 0);
  const doc = JSON.parse(run.out()) as { address: { email: string }; servers: { host: string; username: string; source: { kind: string } }[]; steps?: unknown };
  t.equal(doc.address.email, 'bob@cli.test');
  t.match(doc.servers[0], { host: 'posteo.de', username: 'bob@cli.test', source: { kind: 'mx' } });
  t.equal(doc.steps, undefined, 'steps only with --explain');
});

t.test('discovery off: the database alone, each step still shown as it finishes', async (t) => {
  const found = await lookup(['alice@posteo.de'], { env: { MAILCONFIG_DISCOVERY: 'off' } });
  t.equal(found.code, 0);
  t.match(found.err(), /^database: found: posteo\.de\.xml \(0 ms\)$/m);
  const none = await lookup(['alice@cli.test'], { env: { MAILCONFIG_DISCOVERY: 'off' } });
  t.equal(none.code, 1);
  t.match(none.err(), /^database: nothing: cli\.test is not in the provider database/m);
  t.notMatch(none.err(), /^mx:/m, 'no discovery step');
});

t.test('nothing found, bad input and bad configuration', async (t) => {
  const none = await lookup(['alice@missing.test']);
  t.equal(none.code, 1);
  t.match(none.out(), /No mail settings found for missing\.test/);
  t.match(none.err(), /mx: nothing: missing\.test does not exist \(NXDOMAIN\)/);

  const bad = await lookup(['alice@']);
  t.equal(bad.code, 2);
  t.match(bad.err(), /"alice@": the domain is empty/);

  const misconfigured = await lookup(['alice@cli.test'], { env: { MAILCONFIG_DNS: 'dns.example' } });
  t.equal(misconfigured.code, 78);
  t.match(misconfigured.err(), /configuration error: MAILCONFIG_DNS: "dns\.example" is not ip\[:port\]/);
});
