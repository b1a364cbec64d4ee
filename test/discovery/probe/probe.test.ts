// The prober against real sockets: scripted IMAP/POP3/SMTP servers on 127.0.1.x with test certificates.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { probe, type ProbeOptions } from '../../../src/discovery/probe/index.js';
import { createNetworkGuard } from '../../../src/discovery/network-guard.js';
import type { ProbeResult } from '../../../src/discovery/types.js';
import type { Protocol, Security } from '../../../src/settings/model.js';
import { makeTestPki, type Pem } from '../../helpers/certs.js';
import { startFakeImap, startFakePop3, startFakeSmtp, type FakeServer, type FakeServerOptions } from '../../helpers/mail-servers.js';
import { startTripwire } from '../../helpers/tripwire.js';

const HOST = 'mail.probe.test';
const ADDRESS = '127.0.1.20';
const pki = await makeTestPki([HOST]);
const START = { imap: startFakeImap, pop3: startFakePop3, smtp: startFakeSmtp } as const;

type FakeOptions = Omit<FakeServerOptions, 'host' | 'mode'>;
/** The part of a tap test this helper needs. */
interface Cleanup {
  teardown(fn: () => unknown): void;
}

/** Starts a fake, probes it once with the test CA trusted, closes it; returns the result and the fake. */
async function probeFake(
  t: Cleanup,
  protocol: Protocol,
  security: Security,
  fake: FakeOptions & { mode?: Security } = {},
  options: Partial<ProbeOptions> = {},
): Promise<{ result: ProbeResult; server: FakeServer }> {
  const server = await START[protocol]({ host: ADDRESS, mode: fake.mode ?? security, pem: pki.valid, ...fake });
  t.teardown(() => server.close());
  const result = await probe({ host: HOST, address: server.host, port: server.port, protocol, security }, { timeoutMs: 3000, ca: [pki.ca], ...options });
  return { result, server };
}

/** The words of a failed result; undefined for a success. */
const why = (result: ProbeResult): string | undefined => (result.ok ? undefined : result.error);
/** The failure kind of a result; undefined for a success. */
const kind = (result: ProbeResult) => (result.ok ? undefined : result.failure);

const UPGRADE_WORD: Record<Protocol, string> = { imap: 'STARTTLS', pop3: 'STLS', smtp: 'STARTTLS' };

for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
  for (const security of ['tls', 'starttls', 'none'] as const) {
    t.test(`${protocol} with ${security}`, async (t) => {
      const { result, server } = await probeFake(t, protocol, security);
      t.equal(result.ok, true, why(result) ?? 'ok');
      t.equal(why(result), undefined);
      t.equal(server.connections(), 1, 'one connection');
      t.ok(result.greeting, 'greeting recorded');
      t.ok(result.capabilities.length >= 3, 'capabilities read');
      t.ok(result.auth.includes('password-cleartext'), 'PLAIN/LOGIN/USER mean password-cleartext');
      t.equal(result.loginDisabled, false);
      t.ok(result.ms >= 0 && result.ms < 3000, 'timed');
      if (security === 'none') {
        t.equal(result.tlsVersion, undefined, 'no TLS');
        t.equal(result.certificate, undefined);
        return;
      }
      t.match(result.tlsVersion, /^TLSv1\.[23]$/);
      t.equal(result.certificate?.trusted, true, 'signed by the trusted test CA');
      t.equal(result.certificate?.nameMatches, true);
      t.equal(result.certificate?.expired, false);
      t.same(result.certificate?.problems, []);
      t.equal(result.certificate?.subject, `CN=${HOST}`);
      t.same(result.certificate?.altNames, [`DNS:${HOST}`]);
      if (security === 'starttls') t.notOk(result.capabilities.includes(UPGRADE_WORD[protocol]), 'capabilities are the ones read after TLS');
    });
  }
}

t.test('certificates: expired, wrong name, unknown CA, untrusted without the test CA', async (t) => {
  const cases: Array<[string, Pem, Security, Partial<ProbeOptions>, (result: ProbeResult) => void]> = [
    ['expired', pki.expired, 'tls', {}, (r) => {
      t.equal(r.certificate?.expired, true);
      t.equal(r.certificate?.trusted, true, 'the chain itself is fine');
      t.equal(r.certificate?.nameMatches, true);
      t.equal(r.certificate?.validTo, '2020-02-01T00:00:00.000Z');
      t.match(r.certificate?.problems, [/certificate expired on 2020-02-01/]);
    }],
    ['wrong name', pki.wrongName, 'starttls', {}, (r) => {
      t.equal(r.certificate?.nameMatches, false);
      t.equal(r.certificate?.trusted, true);
      t.match(r.certificate?.problems, [/does not name mail\.probe\.test: it is for DNS:other\.invalid/]);
    }],
    ['unknown CA', pki.unknownCa, 'tls', {}, (r) => {
      t.equal(r.certificate?.trusted, false);
      t.equal(r.certificate?.nameMatches, true);
      t.match(r.certificate?.issuer, /untrusted test CA/);
      t.match(r.certificate?.problems, [/not trusted: issued by an unknown certificate authority/]);
    }],
    ['expired and from an unknown CA', pki.expiredUnknownCa, 'starttls', {}, (r) => {
      t.equal(r.certificate?.expired, true);
      t.equal(r.certificate?.trusted, false, 'not mistaken for merely expired');
      t.match(r.certificate?.problems, [/not trusted: issued by an unknown certificate authority/, /expired on 2020-02-01/]);
    }],
    ['valid, but the test CA is not trusted', pki.valid, 'tls', { ca: [] }, (r) => {
      t.equal(r.certificate?.trusted, false, "Node's own CAs do not include the test CA");
    }],
  ];
  for (const [name, pem, security, options, check] of cases) {
    const { result } = await probeFake(t, 'imap', security, { pem }, options);
    t.equal(result.ok, false, `${name}: not ok`);
    t.match(why(result), /^certificate not acceptable: certificate /, `${name}: error says why`);
    t.equal(kind(result), 'certificate', `${name}: a certificate failure`);
    t.ok(result.capabilities.length > 0, `${name}: the conversation still completed, for the report`);
    check(result);
  }
});

/** A root CA, an intermediate whose dates ended in 2020, and a leaf for HOST valid now, signed by the intermediate. */
async function chainWithExpiredIntermediate(): Promise<{ root: string; pem: Pem }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-chain-'));
  try {
    await writeFile(join(dir, 'openssl.cnf'), `[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused
[ ca_ext ]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash
[ leaf ]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth
subjectAltName = DNS:${HOST}\nauthorityKeyIdentifier = keyid
[ ca ]\ndefault_ca = test_ca\n[ test_ca ]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nserial = ${dir}/serial\nnew_certs_dir = ${dir}
default_md = sha256\npolicy = any\nunique_subject = no\ncopy_extensions = none\n[ any ]\ncommonName = supplied\n`);
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), '1000\n');
    const openssl = (...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
    const newKey = ['-config', 'openssl.cnf', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl('req', ...newKey, '-x509', '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=chain test root', '-days', '3650', '-extensions', 'ca_ext');
    await openssl('req', ...newKey, '-new', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=expired intermediate');
    await openssl('ca', '-config', 'openssl.cnf', '-batch', '-notext', '-cert', 'root.crt', '-keyfile', 'root.key', '-in', 'int.csr', '-out', 'int.crt',
      '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', 'openssl.cnf', '-extensions', 'ca_ext');
    await openssl('req', ...newKey, '-new', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${HOST}`);
    await openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-set_serial', '7', '-days', '30', '-extfile', 'openssl.cnf', '-extensions', 'leaf', '-out', 'leaf.crt');
    const read = (file: string) => readFile(join(dir, file), 'utf8');
    return { root: await read('root.crt'), pem: { key: await read('leaf.key'), cert: (await read('leaf.crt')) + (await read('int.crt')) } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

t.test('an expired intermediate makes the chain untrusted, though the leaf itself is in its dates', async (t) => {
  const { root, pem } = await chainWithExpiredIntermediate();
  const { result } = await probeFake(t, 'imap', 'tls', { pem }, { ca: [root] });
  t.equal(result.ok, false, 'not offered as secure');
  t.match(result.certificate, { trusted: false, expired: false, nameMatches: true, issuer: 'CN=expired intermediate' });
  t.match(why(result), /certificate not trusted: a certificate authority in the chain has expired/);
});

t.test('a server with only TLS 1.0 or 1.1 fails the try with its own reason (RFC 8996): TLS 1.2 is the minimum', async (t) => {
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    for (const mode of ['starttls', 'tls'] as const) {
      const { result } = await probeFake(t, 'smtp', mode, { tlsMaxVersion: version });
      t.equal(result.ok, false, `${version} ${mode}: not a secure server`);
      t.equal(kind(result), 'old-tls', `${version} ${mode}`);
      t.match(why(result), /only TLS 1\.1 or older, deprecated \(RFC 8996/);
      t.equal(result.tlsVersion, undefined, 'no session was made');
    }
  }
  const { result } = await probeFake(t, 'smtp', 'starttls', { tlsMaxVersion: 'TLSv1.2' });
  t.match(result, { ok: true, tlsVersion: 'TLSv1.2' }, 'TLS 1.2 is enough');
});

t.test('STARTTLS advertised but failing fails the try', async (t) => {
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    const { result } = await probeFake(t, protocol, 'starttls', { starttlsFails: true });
    t.equal(result.ok, false, protocol);
    t.match(why(result), /^(STARTTLS|STLS) refused: /, `${protocol}: ${why(result)}`);
    t.equal(kind(result), 'starttls', protocol);
    t.equal(result.tlsVersion, undefined, `${protocol}: no TLS`);
  }
  const { result } = await probeFake(t, 'imap', 'starttls', { mode: 'none' });
  t.match(why(result), /STARTTLS refused: a2 BAD .*\(it was not advertised\)/, 'a server without STARTTLS');
});

t.test('capabilities read before TLS are forgotten after it', async (t) => {
  const { result } = await probeFake(t, 'imap', 'starttls', {
    capabilities: ['IMAP4rev1', 'AUTH=XOAUTH2', 'AUTH=CRAM-MD5', 'AUTH=GSSAPI'],
    capabilitiesAfterTls: ['IMAP4rev1', 'AUTH=PLAIN'],
  });
  t.equal(result.ok, true);
  t.same(result.capabilities, ['IMAP4rev1', 'AUTH=PLAIN']);
  t.same(result.auth, ['password-cleartext'], 'nothing from the plaintext list survives');

  const smtp = await probeFake(t, 'smtp', 'starttls', { capabilities: ['AUTH NTLM'], capabilitiesAfterTls: ['AUTH PLAIN XOAUTH2', 'SIZE 1000'] });
  t.same(smtp.result.capabilities, ['AUTH PLAIN XOAUTH2', 'SIZE 1000']);
  t.same(smtp.result.auth, ['password-cleartext', 'OAuth2']);
});

t.test('IMAP LOGINDISABLED', async (t) => {
  const plain = await probeFake(t, 'imap', 'none', { capabilities: ['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED'] });
  t.equal(plain.result.ok, true);
  t.equal(plain.result.loginDisabled, true, 'no login without TLS');
  t.same(plain.result.auth, []);

  const upgraded = await probeFake(t, 'imap', 'starttls', {
    capabilities: ['IMAP4rev1', 'LOGINDISABLED'],
    capabilitiesAfterTls: ['IMAP4rev1', 'AUTH=PLAIN'],
  });
  t.equal(upgraded.result.loginDisabled, false, 'LOGINDISABLED before TLS only does not count');
  t.same(upgraded.result.auth, ['password-cleartext']);

  const still = await probeFake(t, 'imap', 'tls', { capabilities: ['IMAP4rev1', 'LOGINDISABLED', 'AUTH=XOAUTH2'] });
  t.equal(still.result.loginDisabled, true, 'LOGINDISABLED under TLS');
  t.same(still.result.auth, ['OAuth2']);
});

t.test('a server that accepts TCP and never greets', async (t) => {
  for (const protocol of ['imap', 'smtp'] as const) {
    const { result, server } = await probeFake(t, protocol, 'none', { neverGreet: true }, { timeoutMs: 300 });
    t.equal(result.ok, false);
    t.equal(why(result), 'no greeting within 300 ms', protocol);
    t.equal(kind(result), 'timeout', protocol);
    t.ok(result.ms >= 250 && result.ms < 1500, `bounded by the timeout (${result.ms} ms)`);
    t.equal(server.connections(), 1);
  }
  const tls = await probeFake(t, 'pop3', 'tls', { neverGreet: true }, { timeoutMs: 5000, readTimeoutMs: 200 });
  t.equal(why(tls.result), 'no greeting within 200 ms', 'the per-read limit, after a TLS handshake');
  t.equal(tls.result.tlsVersion, 'TLSv1.3');
});

t.test('bytes injected between the STARTTLS go-ahead and the handshake fail the try', async (t) => {
  const cases: Array<[Protocol, string]> = [
    ['imap', '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n'],
    ['pop3', '+OK injected\r\n'],
    ['smtp', '250 injected\r\n'],
  ];
  for (const [protocol, inject] of cases) {
    const { result } = await probeFake(t, protocol, 'starttls', { injectAfterStarttls: inject });
    t.equal(result.ok, false, protocol);
    t.match(why(result), /possible STARTTLS command injection/, `${protocol}: ${why(result)}`);
    t.equal(kind(result), 'starttls', protocol);
    t.equal(result.tlsVersion, undefined, `${protocol}: no handshake was attempted`);
  }
});

t.test('greeting refusals: IMAP BYE, POP3 -ERR, SMTP 554', async (t) => {
  const imap = await probeFake(t, 'imap', 'none', { greeting: '* BYE too many connections from your address' });
  t.equal(imap.result.ok, false);
  t.equal(why(imap.result), 'the server refused the session: * BYE too many connections from your address');
  t.equal(kind(imap.result), 'rejected');
  t.equal(imap.result.greeting, '* BYE too many connections from your address', 'the refusing greeting is kept for the report');
  const pop3 = await probeFake(t, 'pop3', 'none', { greeting: '-ERR maintenance' });
  t.equal(why(pop3.result), 'the server refused the session: -ERR maintenance');
  const smtp = await probeFake(t, 'smtp', 'none', { greeting: '554-mx.test\n554 no SMTP service here' });
  t.equal(why(smtp.result), 'the server offers no SMTP service here: 554-mx.test 554 no SMTP service here');
  const multi = await probeFake(t, 'smtp', 'none', { greeting: '220-first line\n220-second line\n220 ready' });
  t.equal(multi.result.ok, true, 'a multi-line 220 greeting is read whole');
  t.equal(multi.result.greeting, '220-first line\n220-second line\n220 ready');
  const notImap = await probeFake(t, 'imap', 'none', { greeting: 'SSH-2.0-OpenSSH_9.2' });
  t.match(why(notImap.result), /^not an IMAP greeting: SSH-2\.0/);
  t.equal(kind(notImap.result), 'protocol');
});

t.test('reads are capped', async (t) => {
  const many = Array.from({ length: 200 }, (_, i) => `X-CAPABILITY-${i}`);
  const { result } = await probeFake(t, 'imap', 'none', { capabilities: many }, { maxBytes: 1024 });
  t.equal(result.ok, false);
  t.equal(why(result), 'the server sent more than 1024 bytes');
  t.equal(kind(result), 'too-large');
  const fine = await probeFake(t, 'imap', 'none', { capabilities: many });
  t.equal(fine.result.ok, true, 'the default cap (16 KiB) is enough for a long list');
  t.equal(fine.result.capabilities.length, 200);
});

t.test('abort via signal', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const { result } = await probeFake(t, 'imap', 'tls', { neverGreet: true }, { timeoutMs: 10_000, signal: controller.signal });
  t.equal(why(result), 'aborted');
  t.equal(kind(result), 'cancelled');
  t.ok(result.ms < 2000, `stopped promptly (${result.ms} ms)`);

  const { result: early, server } = await probeFake(t, 'smtp', 'none', {}, { signal: AbortSignal.abort() });
  t.equal(why(early), 'aborted');
  t.equal(server.connections(), 0, 'an aborted probe does not connect');
});

t.test('only vetted IP addresses are connected to', async (t) => {
  const tripwire = await startTripwire('127.0.1.21');
  t.teardown(() => tripwire.close());
  const target = { host: HOST, address: tripwire.host, port: tripwire.port, protocol: 'imap', security: 'none' } as const;
  const refused = await probe(target, { timeoutMs: 500, guard: createNetworkGuard([]) });
  t.equal(refused.ok, false);
  t.equal(why(refused), 'not connecting: 127.0.1.21 is loopback and not in MAILCONFIG_ALLOW_NETWORKS');
  t.equal(kind(refused), 'not-allowed');
  const named = await probe({ ...target, address: 'localhost' }, { timeoutMs: 500 });
  t.match(why(named), /"localhost" is not an IP address \(probes never resolve names\)/);
  const badPort = await probe({ ...target, port: 70000 }, { timeoutMs: 500 });
  t.match(why(badPort), /70000 is not a port number/);
  t.equal(kind(badPort), 'invalid-target');
  t.equal(kind(named), 'invalid-target');
  t.equal(tripwire.connections(), 0, `never connected (peers: ${tripwire.peers().join(', ')})`);

  const allowed = await probe(target, { timeoutMs: 300, guard: createNetworkGuard(['127.0.1.0/24']) });
  t.equal(why(allowed), 'no greeting within 300 ms', 'an allowed address is connected to');
  t.equal(tripwire.connections(), 1, 'the tripwire notices a connection');
});

t.test('a closed port is reported as refused', async (t) => {
  const server = createServer();
  server.listen({ host: ADDRESS, port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await probe({ host: HOST, address: ADDRESS, port, protocol: 'smtp', security: 'tls' }, { timeoutMs: 1000 });
  t.equal(result.ok, false);
  t.equal(why(result), 'connection refused');
  t.equal(kind(result), 'refused');
});
