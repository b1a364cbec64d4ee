// `mailconfig serve --workers 2` with ACME against pebble: only worker 1 orders; a name first seen by worker 2 is
// handed to worker 1 (tls:missing), and worker 2 serves the result as soon as worker 1 stored it (tls:issued).
import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { makeTestPki } from '../helpers/certs.js';
import { startFakeDns } from '../helpers/fake-dns.js';
import { copyProviders } from '../helpers/providers.js';
import { freePort, pebbleMissing, startPebble } from '../helpers/pebble.js';
import { spawnService, type LogLine } from '../helpers/spawn-service.js';

const missing = pebbleMissing();
if (missing) {
  t.plan(0, missing);
} else {
  await run();
}

async function run() {
  const wanted = 'autodiscover.posteo.de';
  const dns = await startFakeDns({ zone: { [wanted]: { A: ['127.0.0.1'] } } });
  t.teardown(() => dns.close());
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ dnsServer: `127.0.0.1:${dns.port}`, httpPort, tlsPort: httpsPort });
  t.teardown(() => pebble.close());
  const root = await pebble.root();
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-acme-workers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pki = await makeTestPki(['default.mailconfig.test']);
  await writeFile(join(dir, 'default.crt'), pki.valid.cert);
  await writeFile(join(dir, 'default.key'), pki.valid.key);
  await writeFile(join(dir, 'pebble-tls-ca.pem'), pebble.tlsCa);

  const service = spawnService(t, {
    PORT: String(httpPort),
    MAILCONFIG_HTTPS_PORT: String(httpsPort),
    MAILCONFIG_PROVIDERS: await copyProviders(t),
    MAILCONFIG_TLS_CERT: join(dir, 'default.crt'),
    MAILCONFIG_TLS_KEY: join(dir, 'default.key'),
    MAILCONFIG_ACME_DIRECTORY: pebble.directoryUrl,
    MAILCONFIG_ACME_CA: join(dir, 'pebble-tls-ca.pem'),
    MAILCONFIG_STATE_DIR: join(dir, 'state'),
  }, ['--workers', '2']);
  const listening = (slot: number) => service.waitForLog((l) => l.msg === `worker ${slot} listening`, 60_000);
  const [one, two] = (await Promise.all([listening(1), listening(2)])) as [LogLine, LogLine];
  const pidOf = { 1: one.workerPid as number, 2: two.workerPid as number };
  if (process.env.ACME_TEST_LOG) t.teardown(() => console.error(service.logs.map((l) => `${String(l.pid)} ${l.msg}`).join('\n'), service.stderr()));

  /** A TLS connection with SNI `servername`; which worker took it comes from /healthz on that connection. */
  const visit = async (servername: string | undefined) => {
    const socket = connect({ host: '127.0.0.1', port: httpsPort, servername, ca: [root], ALPNProtocols: ['http/1.1'], rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerX509Certificate()!;
    const worker = await healthzWorker(socket);
    return { cert, worker, authorized: socket.authorized };
  };

  await t.test('a name first seen by worker 2 is ordered once, by worker 1, and then served by both', async (t) => {
    // Connections alternate between the workers: after one that worker 1 took, the next goes to worker 2.
    for (let i = 0; i < 10 && (await visit(undefined)).worker !== 1; i++);
    const first = await visit(wanted);
    t.equal(first.worker, 2, 'the first handshake for the name reached worker 2');
    t.equal(first.cert.subject, 'CN=default.mailconfig.test', 'which had no certificate yet: the default one');
    const issued = await service.waitForLog((l) => l.msg === `ACME: certificate issued for ${wanted}`);
    t.equal(issued.pid, pidOf[1], 'worker 1 ordered it');
    const served = await service.waitForLog((l) => l.msg === `ACME: serving the stored certificate for ${wanted}`);
    t.equal(served.pid, pidOf[2], 'worker 2 picked it up from the state directory');
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const answer = await visit(wanted);
      seen.add(answer.worker);
      t.ok(answer.cert.checkHost(wanted) && answer.authorized, `handshake ${i + 1} (worker ${answer.worker}): the issued certificate`);
    }
    t.same([...seen].sort(), [1, 2], 'from both workers');
    t.equal(pebble.log().filter((line) => line.includes('POST /order-plz')).length, 1, 'one order in all');
    t.notOk(service.logs.some((l) => l.msg.startsWith('ACME: certificate issued') && l.pid === pidOf[2]), 'worker 2 never ordered');
  });

  await t.test('SIGTERM stops both workers and the primary', async (t) => {
    service.child.kill('SIGTERM');
    t.equal((await service.exited).code, 0);
  });
}

/** GET /healthz on an open TLS socket (HTTP/1.1, Connection: close); the answering worker's number. */
function healthzWorker(socket: TLSSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      try {
        resolve((JSON.parse(body) as { worker: number }).worker);
      } catch {
        reject(new Error(`not a /healthz answer: ${raw.slice(0, 200)}`));
      }
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: mailconfig.test\r\nConnection: close\r\n\r\n');
  });
}
