import t from 'tap';
import { startTestServer } from '../helpers/server.js';

t.test('healthz reports the loaded database', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const res = await fetch(`${server.url}/healthz`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { status: string; providers: number; domains: number };
  t.equal(body.status, 'ok');
  t.equal(body.providers, 163);
  t.equal(body.domains, 962);
});
