// Answers made outside the request lifecycle carry the same strict headers as every other answer. Regression cases
// found by test/http/routes.property.test.ts: a URL the router cannot decode, and a request Node's parser refuses.
import t from 'tap';
import { connect } from 'node:net';
import { clientErrorResponse } from '../../src/http/client-error.js';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer({ env: { MAILCONFIG_DISCOVERY: 'off' } });
t.teardown(() => server.close());
const port = Number(new URL(server.url).port);

/** One request as bytes on its own connection; the whole reply as text. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.end(request);
  });
}

t.test('a path with a broken percent-escape: 400 in the family format, nosniff and the strict CSP', async (t) => {
  // Was answered without X-Content-Type-Options (fastify's frameworkErrors run no onRequest hook, helmet's neither).
  for (const path of ['/v1.1/%40alice%40posteo.de%2', '/autodiscover/autodiscover.json/v1.0/%40alice%40posteo.de%2?Protocol=AutodiscoverV1', '/setup/%zz']) {
    const res = await fetch(server.url + path);
    t.equal(res.status, 400, path);
    t.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
    t.ok(res.headers.get('content-security-policy'), `${path}: a CSP`);
  }
  t.equal((await fetch(`${server.url}/setup/%zz`)).headers.get('content-type'), 'text/html; charset=utf-8', 'a page keeps its own type');
});

t.test('a browser asking an undecodable path of no family gets a page, as for an unknown path', async (t) => {
  // Was JSON: the bad-URL handler offered pages only to the /setup, /check and /help paths.
  const res = await fetch(`${server.url}/alice%40posteo.de%zz`, { headers: { accept: 'text/html' } });
  t.equal(res.status, 400);
  t.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  t.match(await res.text(), /^<!doctype html>/i);
  const api = await fetch(`${server.url}/alice%40posteo.de%zz`);
  t.match(api.headers.get('content-type'), /^application\/json/, 'without Accept: text/html it stays JSON');
});

t.test('a request the HTTP parser refuses: a JSON 400 with nosniff, then the connection closes', async (t) => {
  // Was fastify's default: JSON without X-Content-Type-Options.
  for (const [name, request] of [
    ['an unknown method', 'BREW /mobileconfig HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a control character in a header', 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Test: a\u0001b\r\n\r\n'],
    ['a request line that is not HTTP', '<script>x</script>\r\n\r\n'],
  ] as const) {
    const reply = await raw(request);
    t.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/, name);
    t.match(reply, /\r\nX-Content-Type-Options: nosniff\r\n/, `${name}: nosniff`);
    t.match(reply, /\r\nConnection: close\r\n/, `${name}: closed`);
    const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
    t.same(JSON.parse(body), { error: 'bad_request', message: 'the request is malformed (its method, request line or headers)' }, `${name}: a reason`);
    t.notMatch(reply, /<script>/, `${name}: nothing repeated`);
  }
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is still there');
});

t.test('the raw answers: status per parser error, a body length that matches', async (t) => {
  for (const [code, status] of [['ERR_HTTP_REQUEST_TIMEOUT', 408], ['HPE_HEADER_OVERFLOW', 431], ['HPE_INVALID_METHOD', 400], [undefined, 400]] as const) {
    const text = clientErrorResponse(code);
    t.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), String(code));
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    t.match(text, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`), `${String(code)}: its length`);
  }
});
