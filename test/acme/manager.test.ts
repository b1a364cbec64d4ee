// The ACME engine against a real ACME server (pebble) with a minimal http-01 listener and TLS server of its own:
// on-demand issuance, policy refusals, restart from the state directory, forced and due renewal, tls-alpn-01.
import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { connect, createServer as createTlsServer, createSecureContext, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { openProviderDatabase } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { startAcme, type Acme } from '../../src/acme/setup.js';
import type { AcmeConfig } from '../../src/acme/config.js';
import type { OrderResult } from '../../src/acme/manager.js';
import { makeTestPki } from '../helpers/certs.js';
import { startFakeDns } from '../helpers/fake-dns.js';
import { copyProviders } from '../helpers/providers.js';
import { pebbleMissing, startPebble } from '../helpers/pebble.js';

const missing = pebbleMissing();
if (missing) {
  t.plan(0, missing);
} else {
  await run();
}

async function run() {
  const providersDir = await copyProviders(t);
  const { index } = await openProviderDatabase(providersDir);
  const providers = new StaticProviderStore(index);
  const domain = 'posteo.de';
  if (!index.byDomain(domain)) throw new Error(`${domain} is not in the test database`);
  const wanted = `autodiscover.${domain}`;
  const outside = 'autodiscover.not-in-the-database.example';
  const own = 'mail.hoster.example';

  const dns = await startFakeDns({
    zone: Object.fromEntries([wanted, `autoconfig.${domain}`, `ua-auto-config.${domain}`, outside, own].map((n) => [n, { A: ['127.0.0.1'] }])),
  });
  t.teardown(() => dns.close());

  // The default certificate (ECDSA like the issued ones) and the sources, as the HTTPS listener will ask them.
  const pki = await makeTestPki(['default.mailconfig.test']);
  const defaultContext = createSecureContext({ key: pki.valid.key, cert: pki.valid.cert });
  let acme: Acme | undefined;
  const tlsServer = createTlsServer({
    key: pki.valid.key,
    cert: pki.valid.cert,
    ALPNCallback: ({ protocols }) => (protocols.includes('acme-tls/1') ? 'acme-tls/1' : protocols.includes('http/1.1') ? 'http/1.1' : undefined),
    SNICallback: (servername, callback) => {
      const hello = { servername, alpnProtocols: alpnOf.get(servername) ?? [] };
      for (const source of acme?.extensions.sources ?? []) {
        const context = source.contextFor(servername, hello);
        if (context) return callback(null, context);
      }
      acme?.extensions.onMissing?.(hello);
      callback(null, defaultContext);
    },
  });
  // The real listener reads the offered ALPN from the ClientHello; this test server knows it from the test itself.
  const alpnOf = new Map<string, string[]>();
  tlsServer.on('secureConnection', (socket: TLSSocket) => socket.end());
  tlsServer.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));

  let failChallenges = false;
  const httpServer = createHttpServer((request, response) => {
    const match = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '');
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    void (match && acme && !failChallenges ? acme.challenges.http01(match[1]!, host) : Promise.resolve(undefined)).then((answer) => response.writeHead(answer ? 200 : 404).end(answer ?? ''));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));

  const pebble = await startPebble({
    dnsServer: `127.0.0.1:${dns.port}`,
    httpPort: (httpServer.address() as AddressInfo).port,
    tlsPort: (tlsServer.address() as AddressInfo).port,
  });
  t.teardown(() => pebble.close());
  if (process.env.ACME_TEST_LOG) t.teardown(() => console.error(pebble.log().join('\n')));
  const root = await pebble.root();
  const stateDir = join(await mkdtemp(join(tmpdir(), 'mailconfig-state-')), 'state');
  t.teardown(() => rm(join(stateDir, '..'), { recursive: true, force: true }));

  const config: AcmeConfig = {
    directoryUrl: pebble.directoryUrl,
    stateDir,
    names: 'db',
    hostnames: [own],
    ordersPerHour: 20,
    challenge: 'http-01',
    directoryCa: pebble.tlsCa,
  };
  const quiet = () => undefined;
  const loud = (...args: unknown[]) => console.error(...args);
  const say = process.env.ACME_TEST_LOG ? loud : quiet;
  const silent = { info: say, warn: say, error: say, debug: say };
  const start = (extra: Partial<AcmeConfig> = {}, now?: () => number) =>
    startAcme({ config: { ...config, ...extra }, providers, log: silent, dnsServers: [{ address: dns.address, port: dns.port }], tuning: { backoffMinMs: 200, renewalCheckMs: 0, now } });
  const ordersMetric = async (registry: Registry, outcome: string) => {
    const metric = await registry.getSingleMetric('mailconfig_acme_orders_total')?.get();
    return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  };
  const registryOf = (a: Acme) => {
    const registry = new Registry();
    for (const metric of a.manager.metrics()) registry.registerMetric(metric);
    return registry;
  };
  /** Resolves with the outcome for `name` (the manager's event), without polling. */
  const outcomeFor = (a: Acme, name: string) =>
    new Promise<OrderResult>((resolve) => {
      const listener = (result: OrderResult) => {
        if (result.name !== name) return;
        a.manager.off('outcome', listener);
        resolve(result);
      };
      a.manager.on('outcome', listener);
    });
  const handshake = async (servername: string, alpn: string[] = ['http/1.1']) => {
    alpnOf.set(servername, alpn);
    const socket = connect({ host: '127.0.0.1', port: (tlsServer.address() as AddressInfo).port, servername, ca: [root], ALPNProtocols: alpn, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const peer = socket.getPeerX509Certificate();
    const result = { cert: peer!, authorized: socket.authorized, error: socket.authorizationError };
    socket.destroy();
    return result;
  };
  /** Lines of pebble's log naming `name` (its validation tasks and attempts do). */
  const validationsOf = (name: string) => pebble.log().filter((line) => line.includes(name)).length;
  /** New orders pebble received. */
  const ordersPlaced = () => pebble.log().filter((line) => line.includes('POST /order-plz')).length;

  acme = await start();
  let registry = registryOf(acme);

  await t.test('a handshake for a database name gets the default certificate, then the issued one', async (t) => {
    const issued = outcomeFor(acme!, wanted);
    t.equal(ordersPlaced(), 0);
    const first = await handshake(wanted);
    t.equal(first.cert.subject, 'CN=default.mailconfig.test', 'until the order completes: the default certificate');
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    const second = await handshake(wanted);
    t.ok(second.cert.checkHost(wanted), `the certificate names ${wanted}`);
    t.ok(second.authorized, `it chains to pebble's root (${String(second.error ?? 'ok')})`);
    t.not(second.cert.subject, first.cert.subject);
    t.equal(second.cert.publicKey.asymmetricKeyType, 'ec', 'ECDSA, the same key type as the default certificate');
    t.equal(await ordersMetric(registry, 'issued'), 1, 'counted as issued');
    t.equal(ordersPlaced(), 1, 'pebble received one order');
    t.ok(validationsOf(wanted) > 0, 'and validated the name');
  });

  await t.test('the state directory is private and holds the certificate', async (t) => {
    t.equal((await stat(stateDir)).mode & 0o777, 0o700);
    t.equal((await stat(join(stateDir, 'account-key.pem'))).mode & 0o777, 0o600);
    const file = join(stateDir, 'certificates', `${wanted}.json`);
    t.equal((await stat(file)).mode & 0o777, 0o600);
    t.same((await readdir(join(stateDir, 'locks'))).filter((f) => !f.startsWith('.')), [], 'the lock was released');
    t.same(await readdir(join(stateDir, 'challenges', 'http-01')), [], 'the challenge was removed');
  });

  await t.test('a name outside the policy is never ordered and gets the default certificate', async (t) => {
    const before = pebble.log().length;
    const placed = ordersPlaced();
    const refused = outcomeFor(acme!, outside);
    const answer = await handshake(outside);
    t.equal(answer.cert.subject, 'CN=default.mailconfig.test');
    const result = await refused;
    t.equal(result.outcome, 'refused');
    t.match(result.reason, /not in the provider database/);
    await handshake(outside);
    t.equal(await ordersMetric(registry, 'refused'), 1, 'refused once; the second handshake hits the cached refusal');
    t.equal(await ordersMetric(registry, 'issued'), 1, 'no order');
    t.equal(validationsOf(outside), 0, 'pebble never heard of the name');
    t.same(pebble.log().slice(before).filter((line) => /order|authz|validat/i.test(line)), [], 'pebble saw no order at all');
    t.equal(ordersPlaced(), placed);
    const unresolved = await acme!.manager.ensure('autoconfig.gmx.net');
    t.equal(unresolved.outcome, 'refused', 'a database name that does not point at the service');
    t.match(unresolved.reason, /does not resolve to this service/);
    for (const bad of ['127.0.0.1', 'autodiscover.posteo.de.evil.example', '*.posteo.de', 'autodiscover..posteo.de', `autodiscover.${'a'.repeat(64)}.de`]) {
      t.equal((await acme!.manager.ensure(bad)).outcome, 'refused', `${bad} is refused`);
    }
  });

  await t.test('the service\'s own name is allowed', async (t) => {
    const result = await acme!.manager.ensure(own);
    t.equal(result.outcome, 'issued', result.reason);
    t.ok((await handshake(own)).cert.checkHost(own));
  });

  await t.test('a restart serves the stored certificate without a new order', async (t) => {
    const served = (await handshake(wanted)).cert;
    await acme!.extensions.close?.();
    const ordersBefore = ordersPlaced();
    acme = await start();
    registry = registryOf(acme);
    const again = await handshake(wanted);
    t.equal(again.cert.serialNumber, served.serialNumber, 'the same certificate');
    t.ok(again.authorized);
    t.equal((await acme.manager.ensure(wanted)).outcome, 'present');
    t.equal(await ordersMetric(registry, 'issued'), 0, 'no order after the restart');
    t.equal(ordersPlaced(), ordersBefore, 'pebble saw no new order');
  });

  await t.test('forced renewal replaces the certificate', async (t) => {
    const before = (await handshake(wanted)).cert;
    const result = await acme!.manager.renew(wanted, { force: true });
    t.equal(result.outcome, 'renewed', result.reason);
    const after = (await handshake(wanted)).cert;
    t.not(after.serialNumber, before.serialNumber, 'a new certificate is served');
    t.ok(after.checkHost(wanted));
    t.equal(await ordersMetric(registry, 'renewed'), 1);
  });

  await t.test('the hourly order budget is kept across restarts', async (t) => {
    await acme!.extensions.close?.();
    // The orders of the last hour are in the state directory: a budget of that many is used up.
    const used = (await acme!.storage.recentOrders(Date.now())).length;
    t.equal(used, 3, 'two issued, one forced renewal');
    acme = await start({ ordersPerHour: used });
    registry = registryOf(acme);
    const result = await acme.manager.ensure(`autoconfig.${domain}`);
    t.equal(result.outcome, 'rate_limited', result.reason);
    t.equal(await ordersMetric(registry, 'rate_limited'), 1);
    const asked = dns.queries().length;
    const again = await acme.manager.ensure(`ua-auto-config.${domain}`);
    t.equal(again.outcome, 'rate_limited', 'another name while the budget is used up');
    t.match(again.reason, /budget is used up until/);
    t.equal(dns.queries().length, asked, 'costs no DNS question');
    t.equal(validationsOf(`autoconfig.${domain}`), 0, 'nothing was asked of the CA');
    t.equal(ordersPlaced(), 3);
    await acme.extensions.close?.();
    acme = await start();
    registry = registryOf(acme);
  });

  await t.test('a certificate 29 days before expiry is renewed by the background check, one 31 days before is not', async (t) => {
    const current = new X509Certificate((await acme!.storage.load(wanted))!.cert);
    const notAfter = new Date(current.validTo).getTime();
    await acme!.extensions.close?.();
    const DAY = 86_400_000;
    let clock = notAfter - 31 * DAY;
    acme = await start({}, () => clock);
    t.same(await acme.manager.renewDue(), [], 'not due yet');
    clock = notAfter - 29 * DAY;
    const results = await acme.manager.renewDue();
    // Both certificates were issued seconds apart: both are due, earliest expiry first.
    t.same(results.map((r) => [r.name, r.outcome]).sort(), [[wanted, 'renewed'], [own, 'renewed']], 'due: renewed');
    t.not((await handshake(wanted)).cert.serialNumber, current.serialNumber);
    await acme.extensions.close?.();
    acme = await start();
    registry = registryOf(acme);
  });

  await t.test('a failed validation backs off and is not retried at once', async (t) => {
    const name = `ua-auto-config.${domain}`;
    // The name points here (the policy checks), but the HTTP port answers the CA's validation with 404.
    failChallenges = true;
    t.teardown(() => (failChallenges = false));
    const first = await acme!.manager.ensure(name);
    t.equal(first.outcome, 'failed', first.reason);
    const second = await acme!.manager.ensure(name);
    t.equal(second.outcome, 'backoff', second.reason);
    t.match(second.reason, /failed 1x; next try/);
    t.equal(await ordersMetric(registry, 'failed'), 1);
  });

  await t.test('tls-alpn-01 on the HTTPS port', async (t) => {
    await acme!.extensions.close?.();
    acme = await start({ challenge: 'tls-alpn-01' });
    const name = `autoconfig.${domain}`;
    // Pebble's validation connection offers ALPN acme-tls/1 only.
    alpnOf.set(name, ['acme-tls/1']);
    const result = await acme.manager.ensure(name);
    t.equal(result.outcome, 'issued', result.reason);
    const served = await handshake(name);
    t.ok(served.cert.checkHost(name) && served.authorized);
    t.equal(acme.challenges.size, 0, 'the challenge certificate is gone');
    t.same(await readdir(join(stateDir, 'challenges', 'tls-alpn-01')), [], 'from the state directory too');
    await acme.extensions.close?.();
    acme = undefined;
  });
}
