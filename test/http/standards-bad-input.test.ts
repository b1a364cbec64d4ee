// Bad input at the PACC and DNS endpoints, over a raw socket: never a 5xx, JSON errors with a reason, nothing sent
// echoed back raw, answered at once.
import t from 'tap';
import { connect } from 'node:net';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '0' } });
t.teardown(() => server.close());
const port = Number(new URL(server.url).port);

function raw(target: string, host: string): Promise<{ status: number; type: string; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      const type = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? '';
      let body = text.slice(split + 4);
      if (/\r\ntransfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status: Number(head.split(' ')[1]), type, body, ms: Date.now() - started });
    });
    socket.end(`GET ${target} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
  });
}

const PACC = '/.well-known/user-agent-configuration.json';
const HOSTS = ['<script>x</script>', 'ua-auto-config.', 'ua-auto-config.<img src=x>', `ua-auto-config.${'a'.repeat(300)}.com`, 'ua-auto-config.127.0.0.1', 'ua-auto-config.localhost', '[::1]', 'ua-auto-config.gmail.com:99999', '%zz', 'ua-auto-config.a..b'];
const DOMAINS = ['%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%zz', '', 'a', '127.0.0.1', `${'b'.repeat(70)}.com`, 'x%00y.com', '%E2%80%AEgmail.com', 'gmail.com&domain=evil.example', 'gm%22ail.com'];
const MARKUP = /<script>|<img |%3Cscript|alert\(1\)/i;

t.test('PACC: odd Host headers and ?domain= values', async (t) => {
  const cases: [string, string][] = [...HOSTS.map((host): [string, string] => [PACC, host]), ...DOMAINS.map((d): [string, string] => [`${PACC}?domain=${d}`, 'localhost'])];
  for (const [target, host] of cases) {
    const reply = await raw(target, host);
    const label = `${target.slice(0, 60)} Host ${host.slice(0, 30)}`;
    t.ok(reply.status >= 200 && reply.status < 500, `${label}: ${reply.status}`);
    t.ok(reply.ms < 3000, `${label}: prompt`);
    t.match(reply.type, /^application\/json/, `${label}: JSON`);
    if (reply.status >= 400) t.type((JSON.parse(reply.body) as { error?: unknown }).error, 'string', `${label}: a reason`);
    t.notMatch(reply.body, MARKUP, `${label}: nothing echoed`);
  }
});

t.test('/api/v1/dns: odd domain values', async (t) => {
  for (const d of DOMAINS) {
    const reply = await raw(`/api/v1/dns?domain=${d}`, 'localhost');
    t.ok(reply.status >= 200 && reply.status < 500, `${d}: ${reply.status}`);
    t.match(reply.type, /^application\/json/);
    if (reply.status >= 400) t.type((JSON.parse(reply.body) as { error?: unknown }).error, 'string');
    t.notMatch(reply.body, MARKUP, `${d}: nothing echoed`);
  }
});
