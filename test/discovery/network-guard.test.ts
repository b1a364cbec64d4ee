// Classification only: nothing here connects anywhere. Blocked examples are literal strings on purpose.
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { NetworkGuardError, createNetworkGuard, parseAllowNetworks } from '../../src/discovery/network-guard.js';

t.test('global unicast addresses are allowed', async (t) => {
  const guard = createNetworkGuard([]);
  for (const ip of ['8.8.8.8', '1.1.1.1', '193.99.144.80', '2a00:1450:4001:80b::200e', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    t.equal(guard.refusal(ip), undefined, `${ip} may be used`);
  }
});

t.test('special-purpose addresses are refused with a reason in words', async (t) => {
  const guard = createNetworkGuard([]);
  const cases: Array<[string, RegExp]> = [
    ['127.0.5.5', /^127\.0\.5\.5 is loopback and not in MAILCONFIG_ALLOW_NETWORKS$/],
    ['127.0.0.1', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['10.1.2.3', /private address \(RFC 1918\)/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.1', /RFC 1918/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['169.254.169.254', /link-local/],
    ['224.0.0.251', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.0.8', /reserved/],
    ['192.0.2.10', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.99', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.1', /benchmarking/],
    ['192.175.48.6', /as112/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['fc00::1', /unique local/],
    ['fd12:3456:789a::1', /unique local/],
    ['fe80::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped 127\.0\.0\.1 \(loopback\)/],
    ['::ffff:10.0.0.1', /IPv4-mapped 10\.0\.0\.1 \(a private address/],
    ['::ffff:169.254.169.254', /IPv4-mapped 169\.254\.169\.254 \(link-local\)/],
    ['::ffff:7f00:1', /IPv4-mapped 127\.0\.0\.1/],
    ['64:ff9b::a00:1', /NAT64/],
    ['64:ff9b::127.0.0.1', /NAT64/],
    ['64:ff9b:1::1', /NAT64/],
    ['2002:7f00:1::1', /6to4/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['2001:2::1', /benchmarking/],
    ['100::1', /discard/],
    ['::127.0.0.1', /outside the global unicast space/],
    ['4000::1', /outside the global unicast space/],
  ];
  for (const [ip, reason] of cases) {
    const refusal = guard.refusal(ip);
    t.match(refusal, reason, `${ip} is refused`);
    t.match(refusal, /not in MAILCONFIG_ALLOW_NETWORKS$/, `${ip}: the reason names the variable`);
  }
});

t.test('strings that are not plain addresses are refused, not guessed at', async (t) => {
  const guard = createNetworkGuard(['0.0.0.0/0', '::/0']);
  // Alternative IPv4 spellings reach loopback or private hosts through some parsers; zone ids pick an interface.
  for (const text of ['010.0.0.1', '0x7f.0.0.1', '127.1', '2130706433', 'fe80::1%eth0', 'localhost', 'mail.example.org', '', ' 8.8.8.8', '1.2.3.4/32']) {
    t.match(guard.refusal(text), /is not an IP address/, JSON.stringify(text));
  }
});

t.test('the operator allow-list opens exactly its networks', async (t) => {
  const guard = createNetworkGuard(['127.0.1.0/24', '10.20.0.0/16', 'fd00:1::/64', '192.0.2.7']);
  t.equal(guard.refusal('127.0.1.10'), undefined);
  t.equal(guard.refusal('127.0.1.250'), undefined);
  t.equal(guard.refusal('::ffff:127.0.1.10'), undefined, 'the IPv4-mapped spelling of an allowed address');
  t.equal(guard.refusal('10.20.3.4'), undefined);
  t.equal(guard.refusal('fd00:1::25'), undefined);
  t.equal(guard.refusal('192.0.2.7'), undefined, 'a bare address allows just itself');
  t.match(guard.refusal('192.0.2.8'), /documentation/);
  t.match(guard.refusal('127.0.2.10'), /loopback/, 'next door to an allowed network');
  t.match(guard.refusal('127.0.0.1'), /loopback/);
  t.match(guard.refusal('10.21.0.1'), /RFC 1918/);
  t.match(guard.refusal('fd00:2::25'), /unique local/);
  t.equal(guard.refusal('8.8.8.8'), undefined, 'global addresses stay allowed');
});

t.test('parseAllowNetworks reads comma-separated CIDRs and bare addresses', async (t) => {
  t.same(parseAllowNetworks(undefined), []);
  t.same(parseAllowNetworks('  '), []);
  t.same(parseAllowNetworks('127.0.0.0/8'), ['127.0.0.0/8']);
  t.same(parseAllowNetworks(' 127.0.0.1 , 10.1.2.3/8,2001:db8::1, fd00::/8,'), ['127.0.0.1/32', '10.0.0.0/8', '2001:db8::1/128', 'fd00::/8']);
  t.same(parseAllowNetworks('::ffff:127.0.0.0/104'), ['127.0.0.0/8'], 'an IPv4-mapped CIDR is read as the IPv4 network');
});

t.test('parseAllowNetworks refuses bad entries with a NetworkGuardError; the config loader names the variable', async (t) => {
  for (const value of ['10.0.0.0/33', 'fd00::/129', 'not-a-network', '10.0.0/8', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/ 8', 'fe80::1%lo/64', '127.0.0.1,bogus']) {
    let thrown: unknown;
    try {
      parseAllowNetworks(value);
    } catch (error) {
      thrown = error;
    }
    t.ok(thrown instanceof NetworkGuardError, `${value}: NetworkGuardError`);
    t.equal((thrown as NetworkGuardError | undefined)?.code, 'MAILCONFIG_NETWORK_INVALID', `${value}: stable code`);
    t.match((thrown as Error | undefined)?.message, /^".+" is not an IP address or CIDR/, value);
  }
  t.throws(() => createNetworkGuard(['nonsense']), NetworkGuardError, 'the guard refuses a bad list too');
  let config: unknown;
  try {
    loadConfig({ MAILCONFIG_ALLOW_NETWORKS: '127.0.0.1,bogus' });
  } catch (error) {
    config = error;
  }
  t.ok(config instanceof ConfigError, 'loadConfig wraps it in a ConfigError');
  t.match(config, { code: 'MAILCONFIG_CONFIG_INVALID', message: 'MAILCONFIG_ALLOW_NETWORKS: "bogus" is not an IP address or CIDR (examples: 192.0.2.0/24, 2001:db8::/32, 127.0.0.1)' });
});
