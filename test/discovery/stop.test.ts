import t from 'tap';
import { startWorld } from '../helpers/discovery-world.js';

t.test('lookups still running end when the service stops (options.stop), long before their deadline', async (t) => {
  // A DNS server that never answers: without the stop signal the lookup would run into its 60 s deadline.
  const world = await startWorld({}, ['stuck.test'], { silent: true });
  t.teardown(() => world.close());
  const stop = new AbortController();
  // Each UDP query's own socket still lives out its 2 s timeout (dns2 cannot cancel it); the lookup does not wait for it.
  const resolver = world.resolver({ stop: stop.signal, lookupTimeoutMs: 60_000, dnsTimeoutMs: 2_000 });
  const started = Date.now();
  const lookup = resolver.resolve('stuck.test');
  await new Promise<void>((resolve) => {
    const check = () => (world.dns.queries().length > 0 ? resolve() : setTimeout(check, 10));
    check();
  });
  stop.abort();
  const resolution = await lookup;
  t.ok(Date.now() - started < 5_000, `ended ${Date.now() - started} ms after the start`);
  t.notOk((resolution as { config?: unknown }).config, 'nothing found, no crash');
  // A lookup started after the stop ends at once as well.
  const late = Date.now();
  await resolver.resolve('also-stuck.test');
  t.ok(Date.now() - late < 2_000);
});
