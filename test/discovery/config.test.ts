// Discovery's environment variables: read once at start, every mistake a ConfigError naming the variable.
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { DiscoveryResolver } from '../../src/discovery/resolver.js';
import { buildResolver } from '../../src/service.js';
import { ProviderIndex } from '../../src/providers/database.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { StaticProviderStore } from '../../src/providers/store.js';

t.test('defaults: discovery on, the system nameservers, 8 s, https only', async (t) => {
  const { discovery } = loadConfig({});
  t.same(discovery, { enabled: true, mode: 'full', dnsServers: undefined, allowNetworks: [], lookupTimeoutMs: 8000, autoconfigHttp: false });
});

t.test('every variable is read', async (t) => {
  const { discovery } = loadConfig({
    MAILCONFIG_DNS: '127.0.0.1:5353, [::1]:53',
    MAILCONFIG_DISCOVERY: 'off',
    MAILCONFIG_ALLOW_NETWORKS: '127.0.2.0/24',
    MAILCONFIG_LOOKUP_TIMEOUT: '2.5',
    MAILCONFIG_AUTOCONFIG_HTTP: 'on',
  });
  t.same(discovery, {
    enabled: false,
    mode: 'full',
    dnsServers: [
      { address: '127.0.0.1', port: 5353 },
      { address: '::1', port: 53 },
    ],
    allowNetworks: ['127.0.2.0/24'],
    lookupTimeoutMs: 2500,
    autoconfigHttp: true,
  });
});

t.test('mistakes name the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ MAILCONFIG_DNS: 'resolver.example' }, /^MAILCONFIG_DNS: "resolver\.example" is not ip\[:port\]/],
    [{ MAILCONFIG_DNS: '127.0.0.1:0' }, /^MAILCONFIG_DNS:/],
    [{ MAILCONFIG_DISCOVERY: 'maybe' }, /^MAILCONFIG_DISCOVERY must be on \(full discovery\), mx \(database and MX lookups only\) or off/],
    [{ MAILCONFIG_REDIS_URL: 'http://127.0.0.1:6379' }, /^MAILCONFIG_REDIS_URL must look like redis:\/\/host:6379/],
    [{ MAILCONFIG_REDIS_URL: 'redis://:secret@' }, /^MAILCONFIG_REDIS_URL must look like/],
    [{ MAILCONFIG_AUTOCONFIG_HTTP: 'sometimes' }, /^MAILCONFIG_AUTOCONFIG_HTTP=sometimes/],
    [{ MAILCONFIG_LOOKUP_TIMEOUT: 'soon' }, /^MAILCONFIG_LOOKUP_TIMEOUT=soon must be a number of seconds/],
    [{ MAILCONFIG_LOOKUP_TIMEOUT: '0' }, /^MAILCONFIG_LOOKUP_TIMEOUT=0/],
    [{ MAILCONFIG_LOOKUP_TIMEOUT: '600' }, /^MAILCONFIG_LOOKUP_TIMEOUT=600/],
    [{ MAILCONFIG_ALLOW_NETWORKS: '10.0.0.0/33' }, /^MAILCONFIG_ALLOW_NETWORKS/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', code: 'MAILCONFIG_CONFIG_INVALID', message }, JSON.stringify(env));
});

t.test('MAILCONFIG_DISCOVERY=off answers from the database only', async (t) => {
  const store = new StaticProviderStore(new ProviderIndex([]));
  t.type(buildResolver(loadConfig({ MAILCONFIG_DISCOVERY: 'off' }), store), DatabaseResolver);
  t.type(buildResolver(loadConfig({ MAILCONFIG_DNS: '127.0.0.1:9' }), store), DiscoveryResolver);
});
