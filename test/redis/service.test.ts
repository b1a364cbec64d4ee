// The service with MAILCONFIG_REDIS_URL: /readyz says whether Redis answers (and the database is loaded), and a
// provider file written through one instance's admin API is served by another instance on the same directory at
// once, through the notice, even when that instance's directory watcher never wakes (a network file system).
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { shareProviderChanges } from '../../src/providers/shared-changes.js';
import { LiveProviderStore } from '../../src/providers/store.js';
import { SharedState } from '../../src/redis/shared-state.js';
import { BUNDLED_PROVIDERS } from '../../src/config.js';
import { startLiveService } from '../helpers/providers.js';
import { startRedis } from '../helpers/redis.js';
import { requireSystemProgram } from '../helpers/system-program.js';

const program = requireSystemProgram(t, 'redis-server', 'redis-server');
if (program) {
  const redis = await startRedis(program);
  t.teardown(() => redis.close());
  const dir = mkdtempSync(join(tmpdir(), 'mailconfig-shared-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '126.com.xml'), readFileSync(join(BUNDLED_PROVIDERS, '126.com.xml')));

  t.test('/readyz: ready while Redis answers, 503 naming it while it does not', async (t) => {
    const service = await startLiveService(t, dir, { MAILCONFIG_REDIS_URL: redis.url });
    const ready = async () => {
      const response = await fetch(`${service.url}/readyz`);
      return { status: response.status, body: (await response.json()) as { status: string; checks?: string[]; failing?: { check: string; reason: string }[] } };
    };
    let answer = await ready();
    for (let n = 0; n < 50 && answer.status !== 200; n++) answer = await ready();
    t.equal(answer.status, 200);
    t.match(answer.body, { status: 'ready', checks: ['providers', 'provider-directory', 'redis'] });

    await redis.stop();
    answer = await ready();
    for (let n = 0; n < 50 && answer.status === 200; n++) answer = await ready();
    t.equal(answer.status, 503);
    t.match(answer.body, { status: 'not ready', failing: [{ check: 'redis', reason: /Redis \(MAILCONFIG_REDIS_URL\) is not answering/ }] });
    const health = await fetch(`${service.url}/healthz`);
    t.equal(health.status, 200, '/healthz stays liveness');
    await redis.start();
  });

  t.test('a provider written through one instance is served by another at once', async (t) => {
    const logs = { info() {}, warn() {} };
    const stores = await Promise.all([LiveProviderStore.open(dir), LiveProviderStore.open(dir)]);
    const states = [new SharedState(redis.url, logs), new SharedState(redis.url, logs)];
    t.teardown(async () => {
      for (const store of stores) await store.close();
      for (const state of states) await state.close();
    });
    await Promise.all(states.map(async (state) => (state.available ? undefined : once(state.client, 'ready'))));
    const applied: string[] = [];
    let wake = () => {};
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    shareProviderChanges(stores[0]!, states[0]!, logs);
    shareProviderChanges(stores[1]!, states[1]!, logs, (file) => {
      applied.push(file);
      wake();
    });
    // The subscriptions are made; a round trip on each connection makes sure the SUBSCRIBE went out first.
    await Promise.all(states.map((state) => state.publish('test:ping', '')));
    // Neither store watches the directory: only the notice can tell B.
    const xml = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="shared-notice.example">
    <domain>shared-notice.example</domain>
    <displayName>Shared notice</displayName>
    <incomingServer type="imap"><hostname>imap.shared-notice.example</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.shared-notice.example</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider>
</clientConfig>
`;
    const written = await stores[0]!.write('shared-notice.example', xml);
    t.equal(written.status, 'written', JSON.stringify(written));
    await arrived;
    t.same(applied, ['shared-notice.example.xml']);
    t.ok(stores[1]!.current().byDomain('shared-notice.example'), 'B serves the new provider');

    let removed = () => {};
    const gone = new Promise<void>((resolve) => (removed = resolve));
    wake = removed;
    await stores[0]!.remove('shared-notice.example');
    await gone;
    t.notOk(stores[1]!.current().byDomain('shared-notice.example'), 'and stops serving it when it is removed');
  });
}
