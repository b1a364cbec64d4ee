// The ACME variables: off unless set, defaults, and one clear message per mistake (naming the variable).
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createAcme } from '../../src/acme/setup.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { ProviderIndex } from '../../src/providers/database.js';

const BASE = { MAILCONFIG_HTTPS_PORT: '8443', MAILCONFIG_ACME_DIRECTORY: 'https://acme-staging-v02.api.letsencrypt.org/directory' };

t.test('off unless MAILCONFIG_ACME_DIRECTORY is set; defaults', async (t) => {
  t.equal(loadConfig({}).acme, undefined);
  const acme = loadConfig({ ...BASE, MAILCONFIG_PUBLIC_URL: 'https://MailConfig.Hoster.example/' }).acme!;
  t.equal(acme.stateDir, resolve('./state'));
  t.equal(acme.names, 'db');
  t.equal(acme.ordersPerHour, 20);
  t.equal(acme.challenge, 'http-01');
  t.same(acme.hostnames, ['mailconfig.hoster.example'], 'the public URL\'s host is an own name');
  const more = loadConfig({ ...BASE, MAILCONFIG_HOSTNAMES: 'a.hoster.example, B.hoster.example.', MAILCONFIG_ACME_NAMES: 'MX', MAILCONFIG_ACME_RATE: '5', MAILCONFIG_STATE_DIR: '/var/lib/mailconfig' }).acme!;
  t.same(more.hostnames, ['a.hoster.example', 'b.hoster.example']);
  t.equal(more.names, 'mx');
  t.equal(more.ordersPerHour, 5);
  t.equal(more.stateDir, '/var/lib/mailconfig');
  const ip = loadConfig({ ...BASE, MAILCONFIG_PUBLIC_URL: 'https://192.0.2.1/' }).acme!;
  t.same(ip.hostnames, [], 'an IP address in the public URL is no certificate name');
});

t.test('mistakes are configuration errors naming the variable', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-acme-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'not-pem.txt'), 'hello');
  const cases: [Record<string, string>, RegExp][] = [
    [{ MAILCONFIG_ACME_DIRECTORY: BASE.MAILCONFIG_ACME_DIRECTORY }, /MAILCONFIG_ACME_DIRECTORY is set but MAILCONFIG_HTTPS_PORT is not/],
    [{ ...BASE, MAILCONFIG_ACME_DIRECTORY: 'http://ca.example/dir' }, /MAILCONFIG_ACME_DIRECTORY=.* must be an https:\/\/ URL/],
    [{ ...BASE, MAILCONFIG_ACME_DIRECTORY: 'not a url' }, /MAILCONFIG_ACME_DIRECTORY=not a url is not a URL/],
    [{ ...BASE, MAILCONFIG_ACME_NAMES: 'all' }, /MAILCONFIG_ACME_NAMES=all must be db or mx/],
    [{ ...BASE, MAILCONFIG_ACME_RATE: '0' }, /MAILCONFIG_ACME_RATE=0 must be a whole number/],
    [{ ...BASE, MAILCONFIG_ACME_RATE: 'lots' }, /MAILCONFIG_ACME_RATE=lots/],
    [{ ...BASE, MAILCONFIG_ACME_CHALLENGE: 'dns-01' }, /MAILCONFIG_ACME_CHALLENGE=dns-01 must be http-01 or tls-alpn-01/],
    [{ ...BASE, MAILCONFIG_HOSTNAMES: 'ok.example,*.wild.example' }, /MAILCONFIG_HOSTNAMES: "\*\.wild\.example" is not a DNS host name/],
    [{ ...BASE, MAILCONFIG_HOSTNAMES: '192.0.2.7' }, /MAILCONFIG_HOSTNAMES: "192\.0\.2\.7"/],
    [{ ...BASE, MAILCONFIG_ACME_CA: join(dir, 'missing.pem') }, /MAILCONFIG_ACME_CA=.*missing\.pem cannot be read: ENOENT/],
    [{ ...BASE, MAILCONFIG_ACME_CA: join(dir, 'not-pem.txt') }, /MAILCONFIG_ACME_CA=.* is not a PEM certificate file/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message }, Object.keys(env).join(' '));
  // The address is personal data: the message names the variable, not the value.
  const error = (() => {
    try {
      loadConfig({ ...BASE, MAILCONFIG_ACME_EMAIL: 'hostmaster at hoster.example' });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  t.ok(error instanceof ConfigError);
  t.equal(error?.message, 'MAILCONFIG_ACME_EMAIL is not an e-mail address');
});

t.test('a state directory that cannot be created stops the start with a clear message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-acme-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a-file'), '');
  const config = loadConfig({ ...BASE, MAILCONFIG_STATE_DIR: join(dir, 'a-file', 'state') }).acme!;
  const quiet = () => undefined;
  const acme = createAcme({ config, providers: new StaticProviderStore(new ProviderIndex([])), log: { info: quiet, warn: quiet, error: quiet, debug: quiet } as never });
  await t.rejects(acme.start(), { name: 'AcmeConfigError', message: /^MAILCONFIG_STATE_DIR=.*a-file\/state cannot be created or made private \(0700\): ENOTDIR$/ });
});
