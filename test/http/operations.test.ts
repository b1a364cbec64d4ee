import t from 'tap';
import { startTestServer } from '../helpers/server.js';

t.test('metrics count requests by route pattern', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  await fetch(`${server.url}/v1.1/posteo.de`);
  await fetch(`${server.url}/v1.1/no-such-domain.example`);
  const res = await fetch(`${server.url}/metrics`);
  t.equal(res.status, 200);
  const text = await res.text();
  t.match(text, /mailconfig_http_requests_total\{method="GET",route="\/v1\.1\/:domain",status="200"\} 1/);
  t.match(text, /mailconfig_http_requests_total\{method="GET",route="\/v1\.1\/:domain",status="404"\} 1/);
  t.match(text, /mailconfig_providers 163/);
  // Process and runtime metrics: prom-client's names under the service's prefix, once.
  t.match(text, /^mailconfig_process_cpu_user_seconds_total \d/m);
  t.match(text, /^mailconfig_process_resident_memory_bytes \d/m);
  t.match(text, /^mailconfig_nodejs_heap_size_used_bytes \d/m);
  const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');
  t.same(names.filter((name) => !name.startsWith('mailconfig_')), [], 'every metric carries the prefix');
  t.same(names.filter((name) => /^mailconfig_(\w+_)?process_process_|mailconfig_mailconfig_/.test(name)), [], 'no doubled prefix');
});

t.test('each client gets a request budget; health checks are exempt', async (t) => {
  const server = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '3' } });
  t.teardown(() => server.close());
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.url}/v1.1/posteo.de`)).status);
  t.same(statuses, [200, 200, 200, 429]);
  const limited = await fetch(`${server.url}/v1.1/posteo.de`);
  // The ISPDB mirror is a Thunderbird route: its 429 is plain text like its other errors (src/http/errors.ts).
  t.equal(limited.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.match(await limited.text(), /^Too many requests: rate limit of 3 requests per minute/);
  t.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
