import t from 'tap';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as h2connect, constants as h2constants } from 'node:http2';
import { makeTestPki } from '../helpers/certs.js';
import { certFiles, startHttpsService } from '../helpers/https-service.js';

// Every subtest starts a service of its own, and four of them wait out a real deadline (5 to 30 s): run them side by side.
t.jobs = 6;

/** Opens a connection and sends one keep-alive request; resolves with the first bytes the server sent, or '' when it closed the connection. */
async function requestOn(port: number): Promise<{ socket: Socket; answer: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const answer = await new Promise<string>((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.once('close', () => resolve(''));
  });
  return { socket, answer };
}

t.test('at most MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT connections from one address', async (t) => {
  const { http, https } = await startHttpsService(t, { MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT: '3' });
  const open: Socket[] = [];
  t.teardown(() => open.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    const { socket, answer } = await requestOn(http);
    open.push(socket);
    t.match(answer, /^HTTP\/1\.1 200/, `connection ${i + 1} is served`);
  }
  const refused = await requestOn(http);
  t.equal(refused.answer, '', 'the fourth is closed without an answer');
  // The count spans both listeners (one process, one budget per client).
  const tlsRefused = connect(https, '127.0.0.1');
  tlsRefused.on('error', () => undefined);
  await once(tlsRefused, 'close');
  t.pass('the HTTPS port refuses it as well');
  // One closed: room for one more.
  const closed = once(open[0] as Socket, 'close');
  open.shift()?.destroy();
  await closed;
  let again = await requestOn(http);
  // The server notices the close a moment after the client: one retry on the event, not a sleep.
  if (again.answer === '') again = await requestOn(http);
  open.push(again.socket);
  t.match(again.answer, /^HTTP\/1\.1 200/);
});

t.test('at most MAILCONFIG_MAX_CONNECTIONS connections in all', async (t) => {
  const { http } = await startHttpsService(t, { MAILCONFIG_MAX_CONNECTIONS: '2' });
  const first = await requestOn(http);
  const second = await requestOn(http);
  t.teardown(() => [first, second].forEach((c) => c.socket.destroy()));
  t.match(first.answer, /200/);
  t.match(second.answer, /200/);
  t.equal((await requestOn(http)).answer, '');
});

t.test('a client that does not finish its headers within 10 s is answered 408 and disconnected, on both ports', { timeout: 30_000 }, async (t) => {
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const { http, https } = await startHttpsService(t, { MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key });
  const slowClient = async (socket: Socket, ready: string) => {
    socket.on('error', () => undefined);
    await once(socket, ready);
    const started = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 500);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await once(socket, 'close');
    clearInterval(timer);
    return { took: Date.now() - started, received };
  };
  const [plain, secure] = await Promise.all([
    slowClient(connect(http, '127.0.0.1'), 'connect'),
    slowClient(tlsConnect({ port: https, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }), 'secureConnect'),
  ]);
  for (const [name, result] of [['http', plain], ['https', secure]] as const) {
    t.ok(result.took >= 9_500 && result.took < 12_500, `${name}: closed after ${result.took} ms`);
    t.match(result.received, /^HTTP\/1\.1 408/, name);
  }
});

t.test('an idle keep-alive connection is closed after 5 s', { timeout: 30_000 }, async (t) => {
  const { http } = await startHttpsService(t, {});
  const { socket, answer } = await requestOn(http);
  const after = Date.now();
  t.match(answer, /keep-alive/i);
  await once(socket, 'close');
  const took = Date.now() - after;
  t.ok(took >= 4_500 && took < 7_000, `closed after ${took} ms`);
});

t.test('an HTTP/2 request whose body does not arrive within 30 s is cancelled', { timeout: 60_000 }, async (t) => {
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const { https } = await startHttpsService(t, { MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key });
  const session = h2connect(`https://127.0.0.1:${https}`, { ca: pki.ca, servername: 'localhost' });
  session.on('error', () => undefined);
  t.teardown(() => session.destroy());
  await once(session, 'connect');
  const stream = session.request({ ':method': 'POST', ':path': '/autodiscover/autodiscover.xml', 'content-type': 'text/xml' });
  stream.on('error', () => undefined);
  const started = Date.now();
  stream.write('<?xml version="1.0"?><Autodiscover');
  await once(stream, 'close');
  const took = Date.now() - started;
  t.equal(stream.rstCode, h2constants.NGHTTP2_CANCEL, 'reset with CANCEL');
  t.ok(took >= 29_000 && took < 33_000, `after ${took} ms`);
});

t.test('a TLS client that does not finish its ClientHello within 10 s is disconnected', { timeout: 30_000 }, async (t) => {
  const { https } = await startHttpsService(t, {});
  const socket = connect(https, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const started = Date.now();
  // The start of a handshake record (type 22, TLS 1.0 record version, length 512) and nothing more.
  socket.write(Buffer.from([22, 3, 1, 2, 0, 1]));
  await once(socket, 'close');
  const took = Date.now() - started;
  t.ok(took >= 9_500 && took < 12_500, `closed after ${took} ms`);
});
