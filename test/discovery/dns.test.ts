import t from 'tap';
import { DnsClient, DnsError, parseDnsServer } from '../../src/discovery/dns.js';
import { startFakeDns } from '../helpers/fake-dns.js';

const many = Array.from({ length: 60 }, (_, i) => `127.0.2.${i + 1}`);
const dns = await startFakeDns({
  ttl: 4000,
  zone: {
    'mail.test': { A: ['127.0.2.1'], noiseCname: 'elsewhere.test', MX: [{ exchange: 'mx.mail.test', priority: 10 }] },
    'big.test': { A: many },
    '_imaps._tcp.mail.test': { SRV: [{ priority: 0, weight: 1, port: 993, target: 'imap.mail.test' }] },
  },
});
const silent = await startFakeDns({ zone: {}, silent: true });
t.teardown(async () => {
  await dns.close();
  await silent.close();
});

const client = new DnsClient({ servers: [{ address: dns.address, port: dns.port }], timeoutMs: 1500 });

t.test('answers are filtered by type and carry their TTL', async (t) => {
  const a = await client.query('mail.test', 'A');
  t.same(a.records.map((r) => r.address), ['127.0.2.1'], 'the CNAME mixed into the answer is dropped');
  t.equal(a.ttl, 4000);
  t.equal(a.nxdomain, false);
  const srv = await client.query('_imaps._tcp.mail.test', 'SRV');
  t.match(srv.records[0], { priority: 0, weight: 1, port: 993, target: 'imap.mail.test' });
});

t.test('NXDOMAIN is an answer, not an error; its TTL is the SOA minimum', async (t) => {
  const answer = await client.query('nothing-here.test', 'A');
  t.equal(answer.nxdomain, true);
  t.same(answer.records, []);
  t.equal(answer.ttl, 4000);
});

t.test('a truncated UDP answer is asked again over TCP', async (t) => {
  const before = dns.queries().length;
  const answer = await client.query('big.test', 'A');
  t.equal(answer.tcp, true);
  t.equal(answer.records.length, many.length);
  t.same(dns.queries().slice(before), ['A big.test', 'A big.test'], 'once over UDP, once over TCP');
});

t.test('a server that never answers fails within the deadline', async (t) => {
  const slow = new DnsClient({ servers: [{ address: silent.address, port: silent.port }], timeoutMs: 300 });
  const started = performance.now();
  await t.rejects(slow.query('mail.test', 'MX'), DnsError);
  t.ok(performance.now() - started < 1000, 'no waiting past the deadline');
  t.ok(silent.queries().includes('MX mail.test'), 'the question was sent');
});

t.test('a silent server next to a working one does not matter', async (t) => {
  const both = new DnsClient({ servers: [{ address: silent.address, port: silent.port }, { address: dns.address, port: dns.port }], timeoutMs: 1000 });
  const answer = await both.query('mail.test', 'MX');
  t.equal(answer.records[0]?.exchange, 'mx.mail.test');
});

t.test('an abort signal ends a query at once', async (t) => {
  const controller = new AbortController();
  const slow = new DnsClient({ servers: [{ address: silent.address, port: silent.port }], timeoutMs: 5000 });
  const pending = slow.query('mail.test', 'A', controller.signal);
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  await t.rejects(pending, DnsError);
  t.ok(performance.now() - started < 1000);
});

t.test('MAILCONFIG_DNS entries', async (t) => {
  t.same(parseDnsServer('127.0.0.53'), { address: '127.0.0.53', port: 53 });
  t.same(parseDnsServer('127.0.0.1:5353'), { address: '127.0.0.1', port: 5353 });
  t.same(parseDnsServer('[::1]:5353'), { address: '::1', port: 5353 });
  t.same(parseDnsServer('::1'), { address: '::1', port: 53 });
  t.equal(parseDnsServer('dns.example'), undefined);
  t.equal(parseDnsServer('127.0.0.1:99999'), undefined);
  t.equal(parseDnsServer('127.0.0.1:'), undefined);
});

t.test('a CNAME chain in an answer is kept, names in canonical form', async (t) => {
  const aliased = await startFakeDns({
    zone: {
      'imap.customer.test': { CNAME: 'Edge.Hoster.TEST.' },
      'edge.hoster.test': { CNAME: 'mail.hoster.test' },
      'mail.hoster.test': { A: ['127.0.2.9'] },
    },
  });
  t.teardown(() => aliased.close());
  const via = new DnsClient({ servers: [{ address: aliased.address, port: aliased.port }], timeoutMs: 1500 });
  const answer = await via.query('imap.customer.test', 'A');
  t.same(answer.cnames.map((link) => `${link.name} -> ${link.target}`), ['imap.customer.test -> edge.hoster.test', 'edge.hoster.test -> mail.hoster.test'], 'in order, from the asked name on');
  const { LookupDns } = await import('../../src/discovery/hosts.js');
  const { createNetworkGuard } = await import('../../src/discovery/network-guard.js');
  const lookup = new LookupDns(via, createNetworkGuard(['127.0.2.0/24']));
  const asked = () => aliased.queries().filter((q) => q === 'A imap.customer.test').length;
  const before = asked();
  const host = await lookup.resolveHost('IMAP.Customer.Test.');
  t.match(host, { host: 'imap.customer.test', aliases: ['edge.hoster.test', 'mail.hoster.test'] }, 'asked in canonical form, the alias targets kept');
  t.same((await lookup.resolveHost('imap.customer.test')).aliases, ['edge.hoster.test', 'mail.hoster.test']);
  t.equal(asked() - before, 1, 'one question for both spellings');
});
