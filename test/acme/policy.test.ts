// Which names may ever be ordered: host-name checks, the `db` policy and the `mx` policy against fake DNS.
import t from 'tap';
import { DnsClient } from '../../src/discovery/dns.js';
import { ProviderIndex } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { certificateName, customerDomainOf } from '../../src/acme/names.js';
import { NamePolicy } from '../../src/acme/policy.js';
import { providerEntry } from '../helpers/discovery-world.js';
import { startFakeDns, type Zone } from '../helpers/fake-dns.js';

const HOSTER = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="hoster.example">
    <domain>hoster.example</domain>
    <domain purpose="mx">mail.hoster.example</domain>
    <displayName>Hoster</displayName>
    <incomingServer type="imap">
      <hostname>imap.hoster.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.hoster.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;

const providers = new StaticProviderStore(new ProviderIndex([providerEntry('hoster.example.xml', HOSTER)]));
const SERVICE = '127.0.0.10';

t.test('only plain DNS host names reach the policy', async (t) => {
  t.equal(certificateName('AutoDiscover.Example.ORG.'), 'autodiscover.example.org', 'lower case, no trailing dot');
  t.equal(certificateName('xn--bcher-kva.example'), 'xn--bcher-kva.example', 'IDNA A-labels are host names');
  for (const bad of ['', 'localhost', '127.0.0.1', '::1', '[::1]', '*.example.org', 'a..example', '-a.example', 'a-.example', 'under_score.example', 'example.123', '1.2.3.4.5',
    `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}example`, 'ab--c.example', 'exa mple.org', 'ex%41mple.org', 'éxample.org']) {
    t.equal(certificateName(bad), undefined, `refused: ${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 40)}...` : bad)}`);
  }
  t.equal(customerDomainOf('autoconfig.example.org'), 'example.org');
  t.equal(customerDomainOf('ua-auto-config.example.org'), 'example.org');
  t.equal(customerDomainOf('autodiscover.org'), undefined, 'a prefix on a bare TLD is no customer domain');
  t.equal(customerDomainOf('www.example.org'), undefined);
});

t.test('db: the client prefixes of database domains and the own names, nothing else', async (t) => {
  const policy = new NamePolicy({ mode: 'db', hostnames: ['mailconfig.hoster.example'], providers });
  for (const name of ['autoconfig.hoster.example', 'autodiscover.hoster.example', 'ua-auto-config.hoster.example', 'mailconfig.hoster.example']) {
    t.ok((await policy.decide(name)).allowed, `allowed: ${name}`);
  }
  for (const name of ['hoster.example', 'www.hoster.example', 'autodiscover.customer.example', 'autoconfig.mail.hoster.example', 'autodiscover.autodiscover.hoster.example', 'AUTOCONFIG.hoster.example']) {
    const decision = await policy.decide(name);
    t.notOk(decision.allowed, `refused: ${name} (${decision.reason})`);
  }
});

t.test('mx: customer domains whose MX is a provider\'s purpose="mx" domain and whose name points at the service', async (t) => {
  const zone: Zone = {
    'mailconfig.hoster.example': { A: [SERVICE] },
    'autodiscover.hoster.example': { A: [SERVICE] },
    // The hoster's own autoconfig name is in the database but served elsewhere.
    'autoconfig.hoster.example': { A: ['127.0.0.77'] },
    // A customer of the hoster, with its CNAMEs in place (resolved to the service's address).
    'customer.example': { MX: [{ exchange: 'mx1.mail.hoster.example', priority: 10 }] },
    'autodiscover.customer.example': { A: [SERVICE] },
    'autoconfig.customer.example': { A: [SERVICE] },
    // MX at the hoster, but the name points elsewhere.
    'elsewhere.example': { MX: [{ exchange: 'mx1.mail.hoster.example', priority: 10 }] },
    'autodiscover.elsewhere.example': { A: ['127.0.0.99'] },
    // Points at the service, but mail goes to someone else.
    'foreign.example': { MX: [{ exchange: 'mx.other-provider.example', priority: 10 }, { exchange: 'mx1.mail.hoster.example', priority: 20 }] },
    'autodiscover.foreign.example': { A: [SERVICE] },
    // The hoster's address domain is not its purpose="mx" domain: an MX there does not count.
    'plain.example': { MX: [{ exchange: 'mx.hoster.example', priority: 10 }] },
    'autodiscover.plain.example': { A: [SERVICE] },
    'nomx.example': { TXT: ['v=spf1 -all'] },
    'autodiscover.nomx.example': { A: [SERVICE] },
  };
  const dns = await startFakeDns({ zone });
  t.teardown(() => dns.close());
  const client = new DnsClient({ servers: [{ address: dns.address, port: dns.port }], timeoutMs: 1000 });
  const policy = new NamePolicy({ mode: 'mx', hostnames: ['mailconfig.hoster.example'], providers, dns: client });

  for (const name of ['autodiscover.customer.example', 'autoconfig.customer.example', 'autodiscover.hoster.example']) {
    const decision = await policy.decide(name);
    t.ok(decision.allowed, `allowed: ${name} (${decision.reason})`);
  }
  const refusals: Record<string, RegExp> = {
    'autodiscover.elsewhere.example': /does not resolve to this service/,
    'autodiscover.foreign.example': /no provider's purpose="mx" domain/,
    'autodiscover.plain.example': /no provider's purpose="mx" domain/,
    'autodiscover.nomx.example': /no MX record/,
    'autodiscover.missing.example': /no MX record/,
    'www.customer.example': /neither an own name/,
    'autoconfig.hoster.example': /does not resolve to this service/,
  };
  for (const [name, reason] of Object.entries(refusals)) {
    const decision = await policy.decide(name);
    t.notOk(decision.allowed, `refused: ${name}`);
    t.match(decision.reason, reason);
  }
  t.notOk(dns.queries().some((q) => q.includes('www.customer.example')), 'a name without a client prefix costs no DNS question');

  const db = new NamePolicy({ mode: 'db', hostnames: ['mailconfig.hoster.example'], providers, dns: client });
  const before = dns.queries().length;
  t.notOk((await db.decide('autodiscover.customer.example')).allowed, 'db mode does not look at MX');
  t.equal(dns.queries().length, before, 'and asks no DNS for a domain outside the database');
  t.ok((await db.decide('autodiscover.hoster.example')).allowed, 'db: a database name pointing here');
  const elsewhere = await db.decide('autoconfig.hoster.example');
  t.notOk(elsewhere.allowed, 'db: a database name pointing elsewhere is not ordered (it would only fail validation)');
  t.match(elsewhere.reason, /does not resolve to this service/);
  const unchecked = new NamePolicy({ mode: 'db', hostnames: [], providers, dns: client });
  t.ok((await unchecked.decide('autoconfig.hoster.example')).allowed, 'without own names there is nothing to compare: allowed');
});

t.test('mx: the service\'s own addresses are looked up once and kept', async (t) => {
  const dns = await startFakeDns({
    zone: {
      'mailconfig.hoster.example': { A: [SERVICE], AAAA: ['::10'] },
      'customer.example': { MX: [{ exchange: 'mx1.mail.hoster.example', priority: 10 }] },
      'autodiscover.customer.example': { AAAA: ['0:0:0:0:0:0:0:10'] },
    },
  });
  t.teardown(() => dns.close());
  const client = new DnsClient({ servers: [{ address: dns.address, port: dns.port }], timeoutMs: 1000 });
  const policy = new NamePolicy({ mode: 'mx', hostnames: ['mailconfig.hoster.example'], providers, dns: client });
  t.ok((await policy.decide('autodiscover.customer.example')).allowed, 'IPv6 addresses compare in any spelling');
  await policy.decide('autodiscover.customer.example');
  t.equal(dns.queries().filter((q) => q === 'A mailconfig.hoster.example').length, 1);
});

t.test('mx: a DNS failure refuses (it is never a reason to order)', async (t) => {
  const dns = await startFakeDns({ zone: {}, silent: true });
  t.teardown(() => dns.close());
  const client = new DnsClient({ servers: [{ address: dns.address, port: dns.port }], timeoutMs: 200 });
  const policy = new NamePolicy({ mode: 'mx', hostnames: ['mailconfig.hoster.example'], providers, dns: client });
  const decision = await policy.decide('autodiscover.customer.example');
  t.notOk(decision.allowed);
  t.match(decision.reason, /^DNS: /);
});
