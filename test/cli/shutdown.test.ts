import t from 'tap';
import { connect as h2connect } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { request } from 'node:http';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestPki } from '../helpers/certs.js';
import { startFakeDns } from '../helpers/fake-dns.js';
import { certFiles } from '../helpers/https-service.js';
import { copyProviders, waitFor } from '../helpers/providers.js';
import { listeningPort, spawnService } from '../helpers/spawn-service.js';
import { fingerprintOf, handshake } from '../helpers/tls-client.js';

/** A client sending its request headers one byte at a time, never finishing (a slow-loris client). */
function trickle(port: number): { socket: Socket; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  const text = 'GET /v1.1/posteo.de HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'x'.repeat(10_000);
  let i = 0;
  const timer = setInterval(() => {
    if (socket.writable && i < text.length) socket.write(text[i++] as string);
  }, 100);
  // A reset is how the service may cut it: not an error of the test. (events.once would reject on 'error'.)
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now());
    }),
  );
  return { socket, closed };
}

/** A plain GET; resolves with the status, or the error's code when the connection breaks. */
function get(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

t.test('SIGTERM: a request in flight finishes, a trickling client is cut at MAILCONFIG_SHUTDOWN_TIMEOUT, exit 0', { timeout: 60_000 }, async (t) => {
  // A DNS server that never answers: the lookup for an unknown domain runs until MAILCONFIG_LOOKUP_TIMEOUT.
  const dns = await startFakeDns({ zone: {}, silent: true });
  t.teardown(() => dns.close());
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const service = spawnService(t, {
    PORT: '0',
    MAILCONFIG_HTTPS_PORT: '0',
    MAILCONFIG_TLS_CERT: files.cert,
    MAILCONFIG_TLS_KEY: files.key,
    MAILCONFIG_DISCOVERY: 'on',
    MAILCONFIG_DNS: `127.0.0.1:${dns.port}`,
    MAILCONFIG_LOOKUP_TIMEOUT: '1.5',
    MAILCONFIG_SHUTDOWN_TIMEOUT: '3',
  });
  const http = await listeningPort(service, 'http');
  const https = await listeningPort(service, 'https');

  // An idle HTTP/2 session must not hold the shutdown open.
  const session = h2connect(`https://127.0.0.1:${https}`, { ca: pki.ca, servername: 'localhost' });
  session.on('error', () => undefined);
  await once(session, 'connect');
  const sessionClosed = once(session, 'close');

  const slow = trickle(http);
  const inFlight = get(http, '/v1.1/slow-lookup.example');
  t.ok((await waitFor(() => dns.queries().length > 0, 10_000)) >= 0, 'the lookup has started');
  const signalledAt = Date.now();
  service.child.kill('SIGTERM');

  t.equal(await inFlight, 404, 'the request in flight got its answer (nothing found), not a reset');
  const exit = await service.exited;
  t.equal(exit.code, 0, 'exit code 0');
  const took = exit.at - signalledAt;
  t.ok(took < 3000 + 2000, `stopped ${took} ms after SIGTERM (deadline 3 s)`);
  t.ok((await slow.closed) - signalledAt < 3000 + 2000, 'the trickling client was cut');
  await sessionClosed;
  t.ok(service.logs.some((l) => l.msg === 'shut down'), 'logged');
});

t.test('a second signal exits at once', { timeout: 60_000 }, async (t) => {
  const service = spawnService(t, { PORT: '0', MAILCONFIG_SHUTDOWN_TIMEOUT: '30' });
  const http = await listeningPort(service, 'http');
  const slow = trickle(http);
  t.equal(await get(http, '/healthz'), 200);
  await waitFor(() => slow.socket.bytesWritten > 5, 5000);
  service.child.kill('SIGINT');
  await service.waitForLog((l) => l.msg === 'shutting down');
  const second = Date.now();
  service.child.kill('SIGTERM');
  const exit = await service.exited;
  t.ok(exit.at - second < 3000, `exited ${exit.at - second} ms after the second signal (the deadline was 30 s)`);
  t.equal(exit.code, 1);
  slow.socket.destroy();
});

t.test('SIGHUP reloads the TLS files and the provider directory; the process keeps running', { timeout: 60_000 }, async (t) => {
  const first = await makeTestPki(['localhost']);
  const second = await makeTestPki(['localhost', 'second.test']);
  const files = await certFiles(t, first.valid.cert, first.valid.key);
  const dir = await copyProviders(t, ['posteo.de.xml']);
  const service = spawnService(t, { PORT: '0', MAILCONFIG_HTTPS_PORT: '0', MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key, MAILCONFIG_PROVIDERS: dir });
  const http = await listeningPort(service, 'http');
  const https = await listeningPort(service, 'https');
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(first.valid.cert));

  let seen = service.logs.length;
  service.child.kill('SIGHUP');
  await service.waitForLog((l) => l.msg === 'reloaded (SIGHUP)', 10_000, seen);
  t.equal(await get(http, '/healthz'), 200, 'still serving after SIGHUP (it used to end the process)');

  // New files (the watcher may notice them first; either way they are served).
  await writeFile(`${files.key}.new`, second.valid.key);
  await writeFile(`${files.cert}.new`, second.valid.cert);
  await rename(`${files.key}.new`, files.key);
  await rename(`${files.cert}.new`, files.cert);
  seen = service.logs.length;
  service.child.kill('SIGHUP');
  await service.waitForLog((l) => l.msg === 'reloaded (SIGHUP)', 10_000, seen);
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(second.valid.cert));

  // A provider file added by hand is served after SIGHUP.
  const gmx = await import('node:fs/promises').then((fs) => fs.readFile(join(process.cwd(), 'providers', 'gmx.net.xml'), 'utf8'));
  await writeFile(join(dir, 'gmx.net.xml'), gmx);
  seen = service.logs.length;
  service.child.kill('SIGHUP');
  await service.waitForLog((l) => l.msg === 'reloaded (SIGHUP)', 10_000, seen);
  t.equal(await get(http, '/v1.1/gmx.net'), 200);

  // A bad certificate file on SIGHUP: the old one keeps serving, the log says why.
  await writeFile(files.cert, 'garbage\n');
  seen = service.logs.length;
  service.child.kill('SIGHUP');
  const warning = await service.waitForLog((l) => /not reloaded, keeping the previous one/.test(l.msg), 10_000, seen);
  t.match(warning.msg, /no PEM certificate/);
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(second.valid.cert));

  service.child.kill('SIGTERM');
  t.equal((await service.exited).code, 0);
});
