// The service's endpoints answer a discovered domain, and the JSON API shows where each server came from.
import t from 'tap';
import { DiscoveryResolver } from '../../src/discovery/resolver.js';
import { parseXml, childrenNamed, firstChild } from '../../src/xml/parse.js';
import { startWorld } from '../helpers/discovery-world.js';
import { startTestServer } from '../helpers/server.js';

const world = await startWorld(
  {
    'imap.web.test': { A: ['127.0.3.20'] },
    'smtp.web.test': { A: ['127.0.3.20'] },
  },
  ['web.test'],
);
await world.imap('127.0.3.20', 993, { mode: 'tls', pem: world.pki.valid });
await world.smtp('127.0.3.20', 465, { mode: 'tls', pem: world.pki.valid });
const server = await startTestServer({ resolver: (store) => new DiscoveryResolver(store, world.options()) });
t.teardown(async () => {
  await server.close();
  await world.close();
});

t.test('JSON API: servers with provenance, and every step with ?explain=1', async (t) => {
  const res = await fetch(`${server.url}/api/v1/settings?email=alice%40web.test&explain=1`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { servers: { protocol: string; host: string; username: string; source: { kind: string; confidence: string; evidence: Record<string, unknown> } }[]; steps: { kind: string; subject: string; server?: { security: string }; outcome: string; ms: number; text: string }[] };
  t.match(body.servers[0], { protocol: 'imap', host: 'imap.web.test', username: 'alice@web.test', source: { kind: 'probe', confidence: 'medium', evidence: { address: '127.0.3.20', tlsVersion: /^TLSv1/, certificate: { trusted: true, nameMatches: true } } } });
  t.ok(body.servers.some((s) => s.protocol === 'smtp' && s.host === 'smtp.web.test'));
  t.match(body.steps.find((s) => s.kind === 'probe' && s.subject === 'imap.web.test:993' && s.server?.security === 'tls'), { outcome: 'found', ms: Number, text: /^probe imap\.web\.test:993 \(imap, TLS\): found: / });
  t.match(body.steps.find((s) => s.kind === 'autoconfig'), { outcome: 'nothing', subject: 'https://autoconfig.web.test/mail/config-v1.1.xml' }, 'what found nothing is shown too');
  t.notOk(JSON.stringify(body.steps).includes('alice'), 'no address in the steps');
});

t.test('Thunderbird autoconfig for the discovered domain, from the cache', async (t) => {
  const before = world.dns.queries().length;
  const res = await fetch(`${server.url}/mail/config-v1.1.xml?emailaddress=bob%40web.test`);
  t.equal(res.status, 200);
  const provider = firstChild(parseXml(await res.text()), 'emailProvider')!;
  const imap = childrenNamed(provider, 'incomingServer')[0]!;
  t.equal(firstChild(imap, 'hostname')?.text, 'imap.web.test');
  t.equal(firstChild(imap, 'socketType')?.text, 'SSL');
  t.equal(firstChild(imap, 'username')?.text, 'bob@web.test');
  t.equal(world.dns.queries().length, before, 'no network for the second request');
});

t.test('an unknown domain is a 404 that explains what was tried', async (t) => {
  const res = await fetch(`${server.url}/api/v1/settings?email=alice%40nowhere.test&explain=1`);
  t.equal(res.status, 404);
  const body = (await res.json()) as { error: string; steps: { kind: string; subject: string; outcome: string; detail: string }[] };
  t.equal(body.error, 'unknown_domain');
  t.match(body.steps.find((s) => s.kind === 'mx'), { outcome: 'nothing', detail: /does not exist/ });
});

t.test('a bundled provider is still answered from the database', async (t) => {
  const res = await fetch(`${server.url}/api/v1/settings?email=alice%40posteo.de&explain=1`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { servers: { source: { kind: string } }[]; steps: { kind: string }[] };
  t.equal(body.servers[0]?.source.kind, 'database');
  t.same(body.steps.map((s) => s.kind), ['database']);
});
