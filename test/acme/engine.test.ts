// The manager's own rules with a stand-in CA (certificates from the test PKI): one order per name across managers
// sharing a state directory, the lock's expiry, back-off doubling up to a day and logged once per failure, the CA's
// own validation handshakes never ordering, renewal of certificates from another directory.
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderIndex } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { FileOrderLock } from '../../src/acme/lock.js';
import { PendingChallenges } from '../../src/acme/challenges.js';
import { AcmeManager, MAX_BACKOFF_MS, MAX_PENDING, type AcmeLog, type Orderer } from '../../src/acme/manager.js';
import { NamePolicy } from '../../src/acme/policy.js';
import { FileCertificateStorage } from '../../src/acme/storage.js';
import { providerEntry } from '../helpers/discovery-world.js';
import { makeTestPki } from '../helpers/certs.js';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="example.net"><domain>example.net</domain><displayName>E</displayName>
<incomingServer type="imap"><hostname>imap.example.net</hostname><port>993</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.example.net</hostname><port>465</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>`;
const providers = new StaticProviderStore(new ProviderIndex([providerEntry('example.net.xml', XML)]));
const NAME = 'autodiscover.example.net';
const DIRECTORY = 'https://ca.invalid/directory';
const pki = await makeTestPki([NAME]);

interface Logged {
  level: string;
  msg: string;
}

function recorder(): AcmeLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (_fields: unknown, msg?: string) => void lines.push({ level, msg: msg ?? String(_fields) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as AcmeLog & { lines: Logged[] };
}

/** A CA stand-in: each order waits until `release()` and then hands out the test PKI's certificate (or fails). */
function fakeCa() {
  const orders: string[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let failWith: string | undefined;
  const orderer: Orderer = {
    async order(name) {
      orders.push(name);
      if (gate) await gate.promise;
      if (failWith) throw Object.assign(new Error(failWith), { code: 'ACME_ORDER_FAILED' });
      return { key: pki.valid.key, cert: pki.valid.cert };
    },
  };
  return {
    orders,
    orderer,
    hold() {
      let open!: () => void;
      gate = { promise: new Promise((resolve) => (open = resolve)), open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
    fail(message: string | undefined) {
      failWith = message;
    },
  };
}

async function stateDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-engine-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'state');
}

function manager(dir: string, ca: ReturnType<typeof fakeCa>, extra: { now?: () => number; log?: AcmeLog; directoryUrl?: string; ordersCertificates?: boolean } = {}) {
  const storage = new FileCertificateStorage(dir);
  return new AcmeManager({
    directoryUrl: extra.directoryUrl ?? DIRECTORY,
    ordersPerHour: 100,
    policy: new NamePolicy({ mode: 'db', hostnames: [], providers }),
    storage,
    lock: new FileOrderLock(storage.locksDir, extra.now),
    orderer: () => ca.orderer,
    createAccountKey: async () => pki.valid.key,
    log: extra.log ?? recorder(),
    renewalCheckMs: 0,
    // The test PKI's certificates are valid for 30 days: renew only in the last day.
    renewBeforeMs: 86_400_000,
    now: extra.now,
    ordersCertificates: extra.ordersCertificates,
  });
}

t.test('two managers on one state directory: one orders, the other waits and then serves the stored certificate', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  const [a, b] = [manager(dir, ca), manager(dir, ca)];
  await Promise.all([a.start(), b.start()]);
  ca.hold();
  const first = a.ensure(NAME);
  // Wait until A's order reached the CA (it holds the lock by then).
  while (ca.orders.length === 0) await new Promise((resolve) => setImmediate(resolve));
  const second = await b.ensure(NAME);
  t.equal(second.outcome, 'busy', 'the second process does not order the same name');
  ca.release();
  t.equal((await first).outcome, 'issued');
  t.same(ca.orders, [NAME], 'one order in all');
  const third = await b.ensure(NAME);
  t.equal(third.outcome, 'present', 'then found in the state directory');
  t.ok(b.contextFor(NAME), 'and served');
  t.same(ca.orders, [NAME]);
  await Promise.all([a.close(), b.close()]);
});

t.test('a serving-only process never orders; it reloads what the ordering one stored', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  const serving = manager(dir, ca, { ordersCertificates: false });
  const ordering = manager(dir, ca);
  await Promise.all([serving.start(), ordering.start()]);
  const forwarded: string[] = [];
  serving.on('missing', (name: string) => forwarded.push(name));
  serving.onMissing({ servername: NAME, alpnProtocols: ['h2'] });
  t.same(forwarded, [NAME], 'the name is handed on');
  t.equal((await serving.ensure(NAME)).outcome, 'busy');
  t.same(ca.orders, []);
  t.equal((await ordering.ensure(NAME)).outcome, 'issued');
  t.ok(await serving.reload(NAME));
  t.ok(serving.contextFor(NAME));
  await Promise.all([serving.close(), ordering.close()]);
});

t.test('the CA\'s tls-alpn-01 validation handshakes never start an order', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  const m = manager(dir, ca);
  await m.start();
  m.onMissing({ servername: NAME, alpnProtocols: ['acme-tls/1'] });
  m.onMissing({ servername: 'not a name', alpnProtocols: [] });
  t.equal(m.pending, 0, 'nothing was started');
  m.onMissing({ servername: NAME, alpnProtocols: ['h2'] });
  t.equal(m.pending, 1, 'while a normal handshake starts the order');
  t.equal((await m.ensure(NAME)).outcome, 'issued');
  t.same(ca.orders, [NAME], 'once');
  await m.close();
});

t.test('the lock: exclusive, expires, and a late release does not free a successor\'s lock', async (t) => {
  const dir = await stateDir(t);
  const storage = new FileCertificateStorage(dir);
  await storage.prepare();
  let clock = 1_000_000;
  const lock = new FileOrderLock(storage.locksDir, () => clock);
  const first = await lock.acquire(NAME, 60_000);
  t.ok(first, 'taken');
  t.equal(await lock.acquire(NAME, 60_000), undefined, 'held: not given twice');
  clock += 61_000;
  const second = await lock.acquire(NAME, 60_000);
  t.ok(second, 'an expired lock is taken over');
  await first!.release();
  t.equal(await lock.acquire(NAME, 60_000), undefined, 'the first holder\'s late release left the successor\'s lock alone');
  await second!.release();
  t.ok(await lock.acquire(NAME, 60_000), 'free again after the holder released it');
  await writeFile(join(storage.locksDir, 'other.example.lock'), 'garbage');
  t.ok(await lock.acquire('other.example', 60_000), 'a damaged lock file is taken over');
  t.same(JSON.parse(await readFile(join(storage.locksDir, 'other.example.lock'), 'utf8')).expires, clock + 60_000);
  const racers = await Promise.all(Array.from({ length: 8 }, () => lock.acquire('race.example', 60_000)));
  t.equal(racers.filter(Boolean).length, 1, 'of eight at once, one wins');
});

t.test('failures back off per name: 1 min, doubling, at most a day; one log line per failed order', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const log = recorder();
  const m = manager(dir, ca, { now: () => clock, log });
  await m.start();
  ca.fail('the CA said no');
  const delays: number[] = [];
  for (let i = 0; i < 13; i++) {
    const result = await m.ensure(NAME);
    t.equal(result.outcome, 'failed');
    // Handshakes during the back-off: no order, no log line.
    const lines = log.lines.length;
    for (let j = 0; j < 5; j++) m.onMissing({ servername: NAME, alpnProtocols: [] });
    const waiting = await m.ensure(NAME);
    t.equal(waiting.outcome, 'backoff');
    t.equal(log.lines.length, lines, 'nothing logged while waiting');
    const retryAt = Date.parse(/next try (\S+)/.exec(waiting.reason)![1]!);
    delays.push(retryAt - clock);
    clock = retryAt;
  }
  t.same(delays.slice(0, 4), [60_000, 120_000, 240_000, 480_000], 'doubling from one minute');
  t.equal(Math.max(...delays), MAX_BACKOFF_MS, 'capped at a day');
  t.equal(delays.at(-1), 24 * 3600_000);
  t.equal(log.lines.filter((l) => l.level === 'warn').length, 13, 'one warning per failed order');
  t.equal(ca.orders.length, 13, 'and one order per attempt, none during back-off');
  ca.fail(undefined);
  t.equal((await m.ensure(NAME)).outcome, 'issued', 'after the back-off the next order goes through');
  await m.close();
});

t.test('a certificate from another directory (staging) is due at once', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  const staging = manager(dir, ca, { directoryUrl: 'https://staging.invalid/directory' });
  await staging.start();
  t.equal((await staging.ensure(NAME)).outcome, 'issued');
  await staging.close();
  const production = manager(dir, ca);
  await production.start();
  t.ok(production.contextFor(NAME), 'served meanwhile');
  const results = await production.renewDue();
  t.same(results.map((r) => r.outcome), ['renewed'], 'replaced by one from the configured directory');
  await production.close();
});

t.test('challenges placed by one process are answered by another sharing the state directory', async (t) => {
  const dir = join(await stateDir(t), 'challenges');
  const [placing, answering] = [new PendingChallenges(dir), new PendingChallenges(dir)];
  await placing.addHttp01(NAME, 'tok-EN_1', 'tok-EN_1.thumbprint');
  t.equal(await answering.http01('tok-EN_1', NAME), 'tok-EN_1.thumbprint', 'http-01 from the state directory');
  t.equal(await answering.http01('tok-EN_1', 'other.example'), undefined, 'only for the name being validated');
  t.equal(await answering.http01('../../account-key.pem', NAME), undefined, 'a token is never a path');
  await placing.addTlsAlpn01(NAME, pki.valid.key, pki.valid.cert);
  t.ok(answering.contextFor(NAME, { servername: NAME, alpnProtocols: ['acme-tls/1'] }), 'tls-alpn-01 from the state directory');
  t.equal(answering.contextFor(NAME, { servername: NAME, alpnProtocols: ['h2', 'http/1.1'] }), undefined, 'but only for acme-tls/1');
  await placing.removeHttp01('tok-EN_1');
  await placing.removeTlsAlpn01(NAME);
  t.equal(await answering.http01('tok-EN_1', NAME), undefined, 'gone when the order is done');
  t.equal(answering.contextFor(NAME, { servername: NAME, alpnProtocols: ['acme-tls/1'] }), undefined);
});

t.test('a flood of handshakes for new names asks the policy for a bounded number at once', async (t) => {
  const dir = await stateDir(t);
  const storage = new FileCertificateStorage(dir);
  let asked = 0;
  let finish!: () => void;
  const stuck = new Promise<void>((resolve) => (finish = resolve));
  const m = new AcmeManager({
    directoryUrl: DIRECTORY,
    ordersPerHour: 100,
    policy: { decide: async () => (asked++, await stuck, { allowed: false, reason: 'no' }) },
    storage,
    lock: new FileOrderLock(storage.locksDir),
    orderer: () => fakeCa().orderer,
    createAccountKey: async () => pki.valid.key,
    log: recorder(),
    renewalCheckMs: 0,
  });
  await m.start();
  for (let i = 0; i < 500; i++) m.onMissing({ servername: `autodiscover.d${i}.example`, alpnProtocols: [] });
  // The decisions start within the same turn (no I/O before them): one turn of the event loop lets them all begin.
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(asked, MAX_PENDING, `${MAX_PENDING} decisions at once, the rest dropped`);
  finish();
  await m.close();
});

t.test('an expired certificate that could not be renewed is no longer served', async (t) => {
  const dir = await stateDir(t);
  const ca = fakeCa();
  let clock = Date.now();
  const log = recorder();
  const m = manager(dir, ca, { now: () => clock, log });
  await m.start();
  t.equal((await m.ensure(NAME)).outcome, 'issued');
  ca.fail('the CA is down');
  clock = Date.parse((await new FileCertificateStorage(dir).load(NAME))!.notAfter.toISOString()) + 1000;
  await m.maintain();
  t.equal(m.contextFor(NAME), undefined, 'not served after its expiry');
  t.ok(log.lines.some((l) => l.level === 'warn' && /expired without a renewal/.test(l.msg)));
  t.ok(log.lines.some((l) => l.level === 'warn' && /order for .* failed: the CA is down/.test(l.msg)), 'the renewal was tried');
  await m.close();
});
