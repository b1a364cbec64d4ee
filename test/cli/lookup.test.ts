// `mailconfig lookup`: the same pipeline from the command line, against a fake DNS server on loopback.
import t from 'tap';
import { runLookup, type LookupIo } from '../../src/cli/lookup.js';
import { startFakeDns } from '../helpers/fake-dns.js';

// cli.test's mail is hosted by a bundled provider (matched through its MX host); nothing else exists.
const dns = await startFakeDns({ zone: { 'cli.test': { MX: [{ exchange: 'mx01.posteo.de', priority: 10 }] } } });
t.teardown(() => dns.close());

function io(tty = false): LookupIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: tty, columns: 120 },
    env: { MAILCONFIG_DNS: `${dns.address}:${dns.port}`, MAILCONFIG_LOOKUP_TIMEOUT: '3' },
    out: () => out,
    err: () => err,
  };
}

t.test('prints the settings as a table and each step as a plain line when piped', async (t) => {
  const run = io();
  t.equal(await runLookup(['alice@cli.test', '--explain'], run), 0);
  t.match(run.out(), /Settings for alice@cli\.test: Posteo/);
  t.match(run.out(), /IMAP\s+posteo\.de\s+993\s+SSL\/TLS\s+alice@cli\.test\s+password-cleartext\s+mx \(high\)/);
  t.match(run.out(), /Steps:\nstep\s+outcome\s+ms\s+detail\n/);
  t.match(run.err(), /^database: nothing: cli\.test is not in the provider database \(\d+ ms\)$/m);
  t.match(run.err(), /^mx: found: MX mx01\.posteo\.de: posteo\.de is in the provider database/m);
  t.notMatch(run.err(), /\x1b/, 'no terminal codes when piped');
});

t.test('on a terminal: a progress line per step', async (t) => {
  const run = io(true);
  t.equal(await runLookup(['alice@cli.test'], run), 0);
  t.match(run.err(), /\r\x1b\[K\x1b\[32m✓\x1b\[0m mx: found/);
  t.match(run.err(), /looking up cli\.test: \d+ steps done/);
});

t.test('--json prints the JSON API document', async (t) => {
  const run = io();
  t.equal(await runLookup(['--json', 'bob@cli.test'], run), 0);
  const doc = JSON.parse(run.out()) as { address: { email: string }; servers: { host: string; username: string; source: { kind: string } }[]; steps?: unknown };
  t.equal(doc.address.email, 'bob@cli.test');
  t.match(doc.servers[0], { host: 'posteo.de', username: 'bob@cli.test', source: { kind: 'mx' } });
  t.equal(doc.steps, undefined, 'steps only with --explain');
});

t.test('nothing found, bad input and bad configuration', async (t) => {
  const none = io();
  t.equal(await runLookup(['alice@missing.test'], none), 1);
  t.match(none.out(), /No mail settings found for missing\.test/);
  t.match(none.err(), /mx: nothing: missing\.test does not exist \(NXDOMAIN\)/);

  const bad = io();
  t.equal(await runLookup(['alice@'], bad), 2);
  t.match(bad.err(), /"alice@": the domain is empty/);

  const misconfigured = io();
  misconfigured.env.MAILCONFIG_DNS = 'dns.example';
  t.equal(await runLookup(['alice@cli.test'], misconfigured), 78);
  t.match(misconfigured.err(), /configuration error: MAILCONFIG_DNS: "dns\.example" is not ip\[:port\]/);
});
