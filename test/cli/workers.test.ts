import t from 'tap';
import { request } from 'node:http';
import { loadConfig, readWorkers } from '../../src/config.js';
import { makeTestPki } from '../helpers/certs.js';
import { certFiles } from '../helpers/https-service.js';
import { listeningPort, spawnService, type LogLine } from '../helpers/spawn-service.js';
import { fingerprintOf, handshake } from '../helpers/tls-client.js';

/** GET /healthz on a new connection; resolves with the worker that answered. */
function whichWorker(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve((JSON.parse(body) as { worker: number }).worker));
    });
    req.on('error', reject);
    req.end();
  });
}

async function workersSeen(port: number, tries = 30): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < tries && seen.size < 2; i++) seen.add(await whichWorker(port));
  return seen;
}

t.test('MAILCONFIG_WORKERS and --workers are checked', async (t) => {
  t.equal(loadConfig({}).listeners.workers, 1);
  t.equal(loadConfig({ MAILCONFIG_WORKERS: 'auto' }).listeners.workers, 'auto');
  t.equal(loadConfig({ MAILCONFIG_WORKERS: '4' }).listeners.workers, 4);
  t.throws(() => loadConfig({ MAILCONFIG_WORKERS: 'many' }), { message: /^MAILCONFIG_WORKERS=many must be auto or a number/ });
  t.throws(() => readWorkers('0', '--workers'), { message: /^--workers=0/ });
  t.throws(() => loadConfig({ MAILCONFIG_TLS_CERT: '/x.pem' }), { message: /MAILCONFIG_TLS_KEY is not/ });
  t.throws(() => loadConfig({ MAILCONFIG_HTTPS_REDIRECT: 'on' }), { message: /needs MAILCONFIG_HTTPS_PORT/ });
  t.throws(() => loadConfig({ MAILCONFIG_SHUTDOWN_TIMEOUT: 'soon' }), { message: /^MAILCONFIG_SHUTDOWN_TIMEOUT=soon/ });
  t.throws(() => loadConfig({ MAILCONFIG_MAX_CONNECTIONS: '0' }), { message: /at least 1/ });
  t.throws(() => loadConfig({ MAILCONFIG_HTTPS_PORT: '8080' }), { message: /^MAILCONFIG_HTTPS_PORT=8080 is the HTTP port/ });
  t.equal(loadConfig({ MAILCONFIG_HTTPS_PORT: '8443' }).listeners.httpsPort, 8443);
});

t.test('serve --workers 2: both workers answer, with the same certificate; a killed worker is restarted', { timeout: 90_000 }, async (t) => {
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const service = spawnService(t, { PORT: '0', MAILCONFIG_HTTPS_PORT: '0', MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key }, ['--workers', '2']);
  const listening = (slot: number, after = 0) => service.waitForLog((l) => l.msg === `worker ${slot} listening`, 60_000, after);
  const [one, two] = await Promise.all([listening(1), listening(2)]);
  const http = await listeningPort(service, 'http');
  const https = await listeningPort(service, 'https');

  t.same([...(await workersSeen(http))].sort(), [1, 2], 'requests are spread over both workers');
  for (let i = 0; i < 4; i++) t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(pki.valid.cert), `handshake ${i + 1}: the same certificate`);

  const firstPid = (two as LogLine).workerPid as number;
  const mark = service.logs.length;
  process.kill(firstPid, 'SIGKILL');
  await service.waitForLog((l) => l.msg.startsWith('worker 2 ended (SIGKILL)'), 10_000, mark);
  const again = await listening(2, mark);
  t.not(again.workerPid, firstPid, 'a new process took slot 2');
  t.same([...(await workersSeen(http))].sort(), [1, 2], 'both answer again');
  t.ok(((one as LogLine).workerPid as number) > 0);

  const stoppedAt = Date.now();
  service.child.kill('SIGTERM');
  const exit = await service.exited;
  t.equal(exit.code, 0, 'the primary exits 0 after its workers shut down');
  t.ok(exit.at - stoppedAt < 10_000);
  for (const pid of [(one as LogLine).workerPid, again.workerPid] as number[]) {
    t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
  }
});
