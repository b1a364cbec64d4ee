import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parse } from 'plist';
import { PROJECT_ROOT } from '../../src/config.js';
import { parseAddress } from '../../src/settings/address.js';
import { fillTemplate } from '../../src/settings/placeholders.js';
import { preferredServers } from '../../src/settings/preference.js';
import { makeProfilePki } from '../helpers/profile-pki.js';
import { startTestServer } from '../helpers/server.js';

type Dict = Record<string, unknown>;

const server = await startTestServer();
t.teardown(() => server.close());
const pki = await makeProfilePki();
t.teardown(() => pki.remove());
const signingEnv = { MAILCONFIG_SIGN_CERT: pki.rsaCert, MAILCONFIG_SIGN_KEY: pki.rsaKey, MAILCONFIG_SIGN_CHAIN: pki.intermediateCert };

t.test('both URLs and both parameter names answer the profile, with the right headers', async (t) => {
  const urls = ['/mobileconfig?emailaddress=alice%40posteo.de', '/email.mobileconfig?email=alice%40posteo.de', '/mobileconfig?email=alice%40posteo.de', '/email.mobileconfig?emailaddress=alice%40posteo.de'];
  const bodies = new Set<string>();
  for (const url of urls) {
    const res = await fetch(`${server.url}${url}`);
    t.equal(res.status, 200, url);
    t.equal(res.headers.get('content-type'), 'application/x-apple-aspen-config', url);
    t.equal(res.headers.get('content-disposition'), 'attachment; filename="alice@posteo.de.mobileconfig"', url);
    bodies.add(await res.text());
  }
  t.equal(bodies.size, 1, 'the same profile from every URL');
});

t.test('the profile carries the provider database values, typed as Apple expects', async (t) => {
  const address = parseAddress('alice@posteo.de');
  const provider = server.store.current().byDomain('posteo.de')!.config;
  const { incoming, outgoing } = preferredServers(provider);
  const xml = await (await fetch(`${server.url}/mobileconfig?emailaddress=alice%40posteo.de`)).text();
  const outer = parse(xml) as Dict;
  const mail = (outer.PayloadContent as Dict[])[0]!;
  t.equal(outer.PayloadVersion, 1);
  t.equal(mail.PayloadVersion, 1);
  t.equal(outer.PayloadOrganization, provider.displayName);
  t.equal(mail.EmailAccountType, 'EmailTypeIMAP');
  t.equal(mail.EmailAddress, 'alice@posteo.de');
  t.equal(mail.IncomingMailServerHostName, incoming!.host);
  t.equal(mail.IncomingMailServerPortNumber, incoming!.port);
  t.equal(mail.IncomingMailServerUseSSL, true);
  t.equal(mail.IncomingMailServerUsername, fillTemplate(incoming!.username, address));
  t.equal(mail.OutgoingMailServerHostName, outgoing!.host);
  t.equal(mail.OutgoingMailServerPortNumber, outgoing!.port);
  t.equal(mail.OutgoingMailServerUsername, 'alice@posteo.de');
  t.match(xml, /<key>IncomingMailServerPortNumber<\/key>\s*<integer>993<\/integer>/);
  t.match(xml, /<key>OutgoingMailServerPortNumber<\/key>\s*<integer>465<\/integer>/);
  t.notMatch(xml, /<real>/);
  t.notMatch(xml, /<key>(Incoming|Outgoing)Password<\/key>/);
});

t.test('same address, same identifiers; another address, other identifiers', async (t) => {
  const get = async (address: string) => parse(await (await fetch(`${server.url}/mobileconfig?emailaddress=${encodeURIComponent(address)}`)).text()) as Dict;
  const [a, again, upper, bob] = await Promise.all([get('alice@posteo.de'), get('alice@posteo.de'), get('ALICE@Posteo.DE'), get('bob@posteo.de')]);
  t.equal(again.PayloadUUID, a.PayloadUUID);
  t.equal(upper.PayloadUUID, a.PayloadUUID);
  t.equal(upper.PayloadIdentifier, a.PayloadIdentifier);
  t.not(bob.PayloadUUID, a.PayloadUUID);
  t.not(bob.PayloadIdentifier, a.PayloadIdentifier);
  t.not((bob.PayloadContent as Dict[])[0]!.PayloadUUID, (a.PayloadContent as Dict[])[0]!.PayloadUUID);
});

t.test('bad input: 400 with the reason, unknown domain 404', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['/mobileconfig', 400, /emailaddress=/],
    ['/mobileconfig?emailaddress=', 400, /emailaddress=/],
    ['/mobileconfig?emailaddress=not-an-address', 400, /no @/],
    ['/email.mobileconfig?email=a%20b%40posteo.de', 400, /characters/],
    [`/mobileconfig?emailaddress=${'a'.repeat(250)}%40posteo.de`, 400, /longer than 254/],
    ['/mobileconfig?emailaddress=alice%40nowhere.example', 404, /nowhere\.example/],
  ];
  for (const [url, status, message] of cases) {
    const res = await fetch(`${server.url}${url}`);
    t.equal(res.status, status, url);
    t.match(res.headers.get('content-type'), /^text\/plain/, url);
    t.match(await res.text(), message, url);
  }
});

t.test('signed profile: openssl verifies it against the root, and the embedded plist is the unsigned one', async (t) => {
  const signed = await startTestServer({ env: signingEnv });
  t.teardown(() => signed.close());
  const url = '/mobileconfig?emailaddress=alice%40posteo.de';
  const res = await fetch(`${signed.url}${url}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/x-apple-aspen-config');
  t.match(res.headers.get('content-disposition'), /filename="alice@posteo\.de\.mobileconfig"/);
  const der = Buffer.from(await res.arrayBuffer());
  t.equal(der[0], 0x30, 'DER, not PEM or XML');
  const embedded = await pki.verify(der);
  const unsigned = await (await fetch(`${server.url}${url}`)).text();
  t.equal(embedded.toString('utf8'), unsigned);
});

t.test('a bad signing key stops the start, naming the variable', async (t) => {
  await t.rejects(startTestServer({ env: { ...signingEnv, MAILCONFIG_SIGN_KEY: pki.strayKey } }), {
    name: 'ConfigError',
    message: /^MAILCONFIG_SIGN_KEY=.*stray\.key does not belong to the certificate/,
  });
  await t.rejects(startTestServer({ env: { ...signingEnv, MAILCONFIG_SIGN_KEY: pki.caCert } }), { name: 'ConfigError', message: /^MAILCONFIG_SIGN_KEY=/ });
  // The real CLI (from source): exit code 78 and one line on stderr.
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "import { main } from './src/cli/main.ts'; process.exitCode = await main(['serve']);"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...signingEnv, MAILCONFIG_SIGN_KEY: pki.strayKey, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill(), 30_000);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  t.equal(code, 78);
  const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'));
  t.equal(lines.length, 1, stderr);
  t.match(lines[0], /MAILCONFIG_SIGN_KEY=.*does not belong/);
});
