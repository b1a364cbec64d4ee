// The whole service with ACME against pebble: a handshake with SNI autodiscover.<domain> first gets the default
// certificate, then (after the order) one for that name chaining to pebble's root; Outlook's POX answers over that
// connection and over HTTP/2; a name outside the policy is never ordered; a restart reuses the stored certificate;
// forced renewal replaces it; `mailconfig certs` lists it.
import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as connectHttp2 } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/service.js';
import type { OrderResult } from '../../src/acme/manager.js';
import { runCli } from '../helpers/cli.js';
import { makeTestPki } from '../helpers/certs.js';
import { startFakeDns, type RecordSet } from '../helpers/fake-dns.js';
import { copyProviders } from '../helpers/providers.js';
import { freePort, pebbleMissing, startPebble } from '../helpers/pebble.js';
import { poxRequest, readPox } from '../helpers/autodiscover.js';

const HOSTER = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="hoster.example"><domain>hoster.example</domain><domain purpose="mx">mail.hoster.example</domain>
<displayName>Hoster</displayName>
<incomingServer type="imap"><hostname>imap.hoster.example</hostname><port>993</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.hoster.example</hostname><port>465</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>`;

const missing = pebbleMissing();
if (missing) {
  t.plan(0, missing);
} else {
  await run();
}

async function run() {
  const domain = 'posteo.de';
  const wanted = `autodiscover.${domain}`;
  const outside = 'autodiscover.elsewhere.example';
  const own = 'mailconfig.hoster.example';
  const customer = 'autoconfig.customer.example';
  const providersDir = await copyProviders(t);
  // A hoster whose customers' MX points at mail.hoster.example: with MAILCONFIG_ACME_NAMES=mx their names qualify.
  await writeFile(join(providersDir, 'hoster.example.xml'), HOSTER);
  const zone = Object.fromEntries([wanted, outside, own, customer].map((n) => [n, { A: ['127.0.0.1'] } as RecordSet]));
  zone['customer.example'] = { MX: [{ exchange: 'mx1.mail.hoster.example', priority: 10 }] };
  const dns = await startFakeDns({ zone });
  t.teardown(() => dns.close());
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ dnsServer: `127.0.0.1:${dns.port}`, httpPort, tlsPort: httpsPort });
  t.teardown(() => pebble.close());
  const root = await pebble.root();
  const ordersPlaced = () => pebble.log().filter((line) => line.includes('POST /order-plz')).length;

  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-acme-service-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pki = await makeTestPki(['default.mailconfig.test']);
  await writeFile(join(dir, 'default.crt'), pki.valid.cert);
  await writeFile(join(dir, 'default.key'), pki.valid.key);
  await writeFile(join(dir, 'pebble-tls-ca.pem'), pebble.tlsCa);
  const stateDir = join(dir, 'state');
  const env = {
    MAILCONFIG_DISCOVERY: 'off',
    MAILCONFIG_RATE_LIMIT: '0',
    MAILCONFIG_PROVIDERS: providersDir,
    PORT: String(httpPort),
    MAILCONFIG_HTTPS_PORT: String(httpsPort),
    MAILCONFIG_TLS_CERT: join(dir, 'default.crt'),
    MAILCONFIG_TLS_KEY: join(dir, 'default.key'),
    MAILCONFIG_ACME_DIRECTORY: pebble.directoryUrl,
    MAILCONFIG_ACME_CA: join(dir, 'pebble-tls-ca.pem'),
    MAILCONFIG_ACME_EMAIL: 'hostmaster@hoster.example',
    MAILCONFIG_HOSTNAMES: own,
    MAILCONFIG_ACME_NAMES: 'mx',
    MAILCONFIG_DNS: `127.0.0.1:${dns.port}`,
    MAILCONFIG_STATE_DIR: stateDir,
  };
  const start = async (extra: Record<string, string> = {}): Promise<Service> => {
    const service = await startService({ ...loadConfig({ ...env, ...extra }), host: '127.0.0.1' }, false);
    t.teardown(() => service.shutdown(1000));
    return service;
  };
  const outcomeFor = (service: Service, name: string) =>
    new Promise<OrderResult>((resolve) => {
      const listener = (result: OrderResult) => {
        if (result.name !== name) return;
        service.acme!.manager.off('outcome', listener);
        resolve(result);
      };
      service.acme!.manager.on('outcome', listener);
    });
  const tlsConnect = async (servername: string, alpn: string[]) => {
    const socket = connect({ host: '127.0.0.1', port: httpsPort, servername, ca: [root], ALPNProtocols: alpn, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    return socket;
  };
  const metric = async (outcome: string) => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`mailconfig_acme_orders_total{outcome="${outcome}"}`));
    return Number(line?.split(' ')[1] ?? NaN);
  };
  /** One HTTP/1.1 POX request on an open TLS socket; the socket is closed afterwards. */
  const poxOver = (socket: TLSSocket, host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = poxRequest(`alice@${domain}`);
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (raw += chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        const [head = '', ...rest] = raw.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
      });
      socket.write(`POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });

  let service = await start();

  await t.test('on demand: default certificate first, then one for the name that chains to pebble\'s root', async (t) => {
    const issued = outcomeFor(service, wanted);
    const first = await tlsConnect(wanted, ['http/1.1']);
    t.equal(first.getPeerX509Certificate()?.subject, 'CN=default.mailconfig.test', 'the default certificate until the order completes');
    first.destroy();
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    const socket = await tlsConnect(wanted, ['http/1.1']);
    const cert = socket.getPeerX509Certificate()!;
    t.ok(cert.checkHost(wanted), 'the certificate names the host');
    t.ok(socket.authorized, `it chains to pebble's root (${String(socket.authorizationError ?? 'ok')})`);
    const answer = await poxOver(socket, wanted);
    t.equal(answer.status, 200, 'POX answers over that connection');
    const pox = readPox(answer.body);
    t.ok(pox.protocols.length > 0, 'with settings');
    t.equal(await metric('issued'), 1);
  });

  await t.test('HTTP/2 (ALPN h2) with the issued certificate', async (t) => {
    const session = connectHttp2(`https://${wanted}:${httpsPort}`, {
      createConnection: () => connect({ host: '127.0.0.1', port: httpsPort, servername: wanted, ca: [root], ALPNProtocols: ['h2'] }),
    });
    t.teardown(() => session.close());
    await once(session, 'connect');
    t.equal(session.alpnProtocol, 'h2');
    const socket = session.socket as TLSSocket;
    t.ok(socket.getPeerX509Certificate()?.checkHost(wanted));
    const request = session.request({ ':method': 'POST', ':path': '/autodiscover/autodiscover.xml', 'content-type': 'text/xml' });
    request.end(poxRequest(`alice@${domain}`));
    const [headers] = (await once(request, 'response')) as [Record<string, string | number>];
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    await once(request, 'end');
    t.equal(headers[':status'], 200);
    t.ok(readPox(body).protocols.length > 0);
  });

  await t.test('a name outside the policy: no order, the default certificate', async (t) => {
    const placed = ordersPlaced();
    const refused = outcomeFor(service, outside);
    const socket = await tlsConnect(outside, ['http/1.1']);
    t.equal(socket.getPeerX509Certificate()?.subject, 'CN=default.mailconfig.test');
    socket.destroy();
    const result = await refused;
    t.equal(result.outcome, 'refused');
    t.match(result.reason, /elsewhere\.example has no MX record/, 'mx policy: the domain\'s mail does not go to a known provider');
    t.equal(await metric('refused'), 1);
    t.equal(await metric('issued'), 1, 'no further order');
    t.equal(ordersPlaced(), placed, 'pebble received no order');
    t.equal(pebble.log().filter((line) => line.includes(outside)).length, 0, 'pebble never saw the name');
  });

  await t.test('mx: a customer domain whose MX is the hoster\'s and whose name points here gets a certificate', async (t) => {
    const issued = outcomeFor(service, customer);
    (await tlsConnect(customer, ['http/1.1'])).destroy();
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    const socket = await tlsConnect(customer, ['http/1.1']);
    t.equal(socket.getPeerX509Certificate()?.checkHost(customer), customer);
    t.ok(socket.authorized);
    socket.destroy();
    t.ok(dns.queries().includes('MX customer.example'), 'decided by the MX record');
    t.equal(await metric('issued'), 2);
  });

  await t.test('mailconfig certs lists the name, issuer and expiry', async (t) => {
    const { code, stdout } = await runCli(['certs', '--json'], { env: { MAILCONFIG_STATE_DIR: stateDir } });
    t.equal(code, 0);
    const rows = stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; issuer: string; notAfter: string; daysLeft: number });
    t.same(rows.map((r) => r.name), [customer, wanted]);
    t.match(rows[0]!.issuer, /^Pebble Intermediate CA/);
    t.ok(rows[0]!.daysLeft > 30);
  });

  await t.test('a restart serves the stored certificate without a new order', async (t) => {
    const before = await tlsConnect(wanted, ['http/1.1']);
    const serial = before.getPeerX509Certificate()!.serialNumber;
    before.destroy();
    await service.shutdown(1000);
    const placed = ordersPlaced();
    service = await start();
    const after = await tlsConnect(wanted, ['http/1.1']);
    t.equal(after.getPeerX509Certificate()?.serialNumber, serial, 'the same certificate, from the state directory');
    t.ok(after.authorized);
    after.destroy();
    t.equal(await metric('issued'), 0);
    t.equal(ordersPlaced(), placed, 'pebble received no order');
  });

  await t.test('forced renewal replaces the served certificate', async (t) => {
    const before = await tlsConnect(wanted, ['http/1.1']);
    const serial = before.getPeerX509Certificate()!.serialNumber;
    before.destroy();
    const result = await service.acme!.manager.renew(wanted, { force: true });
    t.equal(result.outcome, 'renewed', result.reason);
    const after = await tlsConnect(wanted, ['http/1.1']);
    // Node 20 hands out the peer's X509Certificate once per socket: read it once.
    const renewed = after.getPeerX509Certificate()!;
    t.not(renewed.serialNumber, serial, 'a new certificate is served');
    t.equal(renewed.checkHost(wanted), wanted, 'for the name');
    t.ok(after.authorized, `chaining to pebble's root (${String(after.authorizationError ?? 'ok')})`);
    after.destroy();
    t.equal(await metric('renewed'), 1);
  });

  await t.test('tls-alpn-01: the CA validates on the HTTPS port (ALPN acme-tls/1)', async (t) => {
    await service.shutdown(1000);
    service = await start({ MAILCONFIG_ACME_CHALLENGE: 'tls-alpn-01' });
    const before = pebble.log().length;
    // Count the handshakes that got the challenge certificate (the CA's validation connections).
    const challenges = service.acme!.challenges;
    const answer = challenges.contextFor.bind(challenges);
    let validations = 0;
    challenges.contextFor = (name, hello) => {
      const context = answer(name, hello);
      if (context && name === own && hello.alpnProtocols.join() === 'acme-tls/1') validations++;
      return context;
    };
    const issued = outcomeFor(service, own);
    (await tlsConnect(own, ['h2'])).destroy();
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    t.ok(validations > 0, `the CA's acme-tls/1 handshakes got the challenge certificate (${validations})`);
    t.notOk(pebble.log().slice(before).some((line) => line.includes('acme-challenge')), 'nothing was validated over http');
    const socket = await tlsConnect(own, ['h2', 'http/1.1']);
    t.equal(socket.getPeerX509Certificate()?.checkHost(own), own);
    t.ok(socket.authorized);
    t.equal(socket.alpnProtocol, 'h2', 'normal clients still get h2');
    socket.destroy();
  });
}
