// Two instances with ACME on one real redis-server and one pebble, each with its own state directory (two machines):
// A orders a certificate, the CA's http-01 validation reaches B (pebble's HTTP port is B's), and B answers it from
// Redis; B then serves the issued certificate without an order of its own; a name asked of both at once is ordered once.
import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/service.js';
import type { OrderResult } from '../../src/acme/manager.js';
import { makeTestPki } from '../helpers/certs.js';
import { startFakeDns, type RecordSet } from '../helpers/fake-dns.js';
import { copyProviders } from '../helpers/providers.js';
import { freePort, pebbleMissing, startPebble } from '../helpers/pebble.js';
import { startRedis } from '../helpers/redis.js';
import { findSystemProgram } from '../helpers/system-program.js';

const redisServer = findSystemProgram('redis-server');
const missing = pebbleMissing() ?? (redisServer ? undefined : 'redis-server is not installed (Debian package redis-server: apt-get install redis-server)');
if (missing) t.plan(0, missing);
else await run(redisServer!);

async function run(redisProgram: string) {
  const own = 'mailconfig.hoster.example';
  const first = 'autodiscover.posteo.de';
  const second = 'autoconfig.posteo.de';
  const zone = Object.fromEntries([own, first, second].map((n) => [n, { A: ['127.0.0.1'] } as RecordSet]));
  const dns = await startFakeDns({ zone });
  t.teardown(() => dns.close());
  const ports = { aHttp: await freePort(), aHttps: await freePort(), bHttp: await freePort(), bHttps: await freePort() };
  // The CA validates at B's ports only: whatever A orders, B must answer the challenge.
  const pebble = await startPebble({ dnsServer: `127.0.0.1:${dns.port}`, httpPort: ports.bHttp, tlsPort: ports.bHttps });
  t.teardown(() => pebble.close());
  const root = await pebble.root();
  const ordersPlaced = () => pebble.log().filter((line) => line.includes('POST /order-plz')).length;
  const redis = await startRedis(redisProgram);
  t.teardown(() => redis.close());

  const providersDir = await copyProviders(t);
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-acme-instances-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pki = await makeTestPki(['default.mailconfig.test']);
  await writeFile(join(dir, 'default.crt'), pki.valid.cert);
  await writeFile(join(dir, 'default.key'), pki.valid.key);
  await writeFile(join(dir, 'pebble-tls-ca.pem'), pebble.tlsCa);
  const env = (name: string, http: number, https: number) => ({
    MAILCONFIG_DISCOVERY: 'off',
    MAILCONFIG_RATE_LIMIT: '0',
    MAILCONFIG_PROVIDERS: providersDir,
    PORT: String(http),
    MAILCONFIG_HTTPS_PORT: String(https),
    MAILCONFIG_TLS_CERT: join(dir, 'default.crt'),
    MAILCONFIG_TLS_KEY: join(dir, 'default.key'),
    MAILCONFIG_ACME_DIRECTORY: pebble.directoryUrl,
    MAILCONFIG_ACME_CA: join(dir, 'pebble-tls-ca.pem'),
    MAILCONFIG_ACME_CHALLENGE: 'http-01',
    MAILCONFIG_HOSTNAMES: own,
    MAILCONFIG_ACME_NAMES: 'db',
    MAILCONFIG_DNS: `127.0.0.1:${dns.port}`,
    MAILCONFIG_STATE_DIR: join(dir, `state-${name}`),
    MAILCONFIG_REDIS_URL: redis.url,
  });
  const start = async (name: string, http: number, https: number): Promise<Service> => {
    const service = await startService({ ...loadConfig(env(name, http, https)), host: '127.0.0.1' }, false);
    t.teardown(() => service.shutdown(1000));
    return service;
  };
  const a = await start('a', ports.aHttp, ports.aHttps);
  const b = await start('b', ports.bHttp, ports.bHttps);
  const outcomes = (service: Service) => {
    const seen: OrderResult[] = [];
    service.acme!.manager.on('outcome', (result: OrderResult) => seen.push(result));
    return seen;
  };
  const [aOutcomes, bOutcomes] = [outcomes(a), outcomes(b)];
  const outcomeFor = (service: Service, name: string) =>
    new Promise<OrderResult>((resolve) => {
      const listener = (result: OrderResult) => {
        if (result.name !== name) return;
        service.acme!.manager.off('outcome', listener);
        resolve(result);
      };
      service.acme!.manager.on('outcome', listener);
    });
  const subjectAt = async (port: number, servername: string) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: [root], rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerX509Certificate();
    const authorized = socket.authorized;
    socket.destroy();
    return { names: cert?.subjectAltName ?? '', authorized };
  };
  /** Whether the instance finds the certificate in its storage (Redis over its own state directory). */
  const storedAt = (service: Service, name: string) => service.acme!.manager.reload(name, false);

  await t.test('A orders, B answers the CA\'s challenge from Redis, B serves the certificate without an order', async (t) => {
    const issued = outcomeFor(a, first);
    const before = await subjectAt(ports.aHttps, first);
    t.notMatch(before.names, first, 'the default certificate until the order completes');
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    t.equal(ordersPlaced(), 1);
    const atA = await subjectAt(ports.aHttps, first);
    t.ok(atA.authorized && atA.names.includes(first), 'A serves it');

    // B heard of it on the channel (or reads it from Redis when asked): the same certificate, no order of B's own.
    t.ok(await storedAt(b, first), "B finds it in Redis (its own state directory never had it)");
    const atB = await subjectAt(ports.bHttps, first);
    t.ok(atB.authorized && atB.names.includes(first), 'B serves the certificate A ordered');
    t.same(bOutcomes.filter((o) => o.outcome === 'issued'), [], 'B ordered nothing');
    t.equal(ordersPlaced(), 1, 'one order in all');
  });

  await t.test('a name asked of both instances at once is ordered once', async (t) => {
    // The instance that does not get the lock answers "busy" without an outcome event; the other one's is awaited.
    const issued = Promise.race([outcomeFor(a, second), outcomeFor(b, second)]);
    await Promise.all([subjectAt(ports.aHttps, second), subjectAt(ports.bHttps, second)]);
    const result = await issued;
    t.equal(result.outcome, 'issued', result.reason);
    t.same(await Promise.all([storedAt(a, second), storedAt(b, second)]), [true, true], 'both find it');
    for (const port of [ports.aHttps, ports.bHttps]) t.ok((await subjectAt(port, second)).names.includes(second), `served at ${port === ports.aHttps ? 'A' : 'B'}`);
    t.equal(ordersPlaced(), 2, 'one more order, not two');
    t.same(aOutcomes.concat(bOutcomes).filter((o) => o.outcome === 'issued').map((o) => o.name).sort(), [second, first].sort(), 'each name issued once');
  });
}
