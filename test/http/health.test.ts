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

t.test('readyz: ready with a loaded database, 503 with the reason when it is empty or its directory is gone', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { BUNDLED_PROVIDERS } = await import('../../src/config.js');
  const { startLiveService } = await import('../helpers/providers.js');
  const readyz = async (url: string) => {
    const res = await fetch(`${url}/readyz`);
    return { status: res.status, cache: res.headers.get('cache-control'), body: (await res.json()) as Record<string, unknown> };
  };

  const empty = mkdtempSync(join(tmpdir(), 'mailconfig-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const none = await startLiveService(t, empty);
  const notReady = await readyz(none.url);
  t.equal(notReady.status, 503);
  t.equal(notReady.cache, 'no-store');
  t.match(notReady.body, { status: 'not ready', failing: [{ check: 'providers', reason: /provider database is empty/ }] });
  t.equal((await fetch(`${none.url}/healthz`)).status, 200, 'healthz stays liveness');

  const dir = mkdtempSync(join(tmpdir(), 'mailconfig-ready-'));
  writeFileSync(join(dir, '126.com.xml'), readFileSync(join(BUNDLED_PROVIDERS, '126.com.xml')));
  const one = await startLiveService(t, dir);
  t.match(await readyz(one.url), { status: 200, body: { status: 'ready', checks: ['providers', 'provider-directory'] } });
  rmSync(dir, { recursive: true, force: true });
  t.match(await readyz(one.url), { status: 503, body: { failing: [{ check: 'provider-directory', reason: /cannot be read \(ENOENT\)/ }] } });
});
