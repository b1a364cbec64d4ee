import t, { type Test } from 'tap';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { listenError, StartupError, startService } from '../../src/service.js';
import { runCli } from '../helpers/cli.js';
import { copyProviders } from '../helpers/providers.js';

// Start-up failures: one line on stderr naming what is wrong (the variable, the port, the directory), an exit code
// for it, and never a stack trace.

const QUIET = { LOG_LEVEL: 'silent', MAILCONFIG_DISCOVERY: 'off' };

async function serve(env: Record<string, string>) {
  const run = await runCli(['serve'], { env: { ...QUIET, ...env } });
  return { ...run, lines: run.stderr.trimEnd().split('\n') };
}

function oneLine(t: Test, run: { stderr: string; stdout: string; lines: string[] }, label: string): void {
  t.equal(run.lines.length, 1, `${label}: one line`);
  t.notMatch(run.stderr, /\n\s+at |Error:|\.ts:\d+|\.js:\d+/, `${label}: no stack trace`);
  t.equal(run.stdout, '', `${label}: nothing on stdout`);
}

t.test('bad HOST, LOG_LEVEL and MAILCONFIG_TRUST_PROXY stop the start with one line naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ HOST: 'not a host' }, /^mailconfig: configuration error: HOST=not a host is not an IP address to listen on/],
    [{ HOST: 'mail.example.org' }, /^mailconfig: configuration error: HOST=mail\.example\.org is not an IP address/],
    [{ HOST: '127.0.0.256' }, /HOST=127\.0\.0\.256 is not an IP address/],
    [{ HOST: '0x7f.1' }, /HOST=0x7f\.1 is not an IP address/],
    [{ LOG_LEVEL: 'loud' }, /^mailconfig: configuration error: LOG_LEVEL=loud is not a log level \(fatal, error, warn, info, debug, trace, silent\)\n$/],
    [{ MAILCONFIG_TRUST_PROXY: '127.0.0.0/99' }, /^mailconfig: configuration error: MAILCONFIG_TRUST_PROXY=127\.0\.0\.0\/99: "127\.0\.0\.0\/99" is not an IP address or CIDR/],
    [{ MAILCONFIG_TRUST_PROXY: '127.0.0.1, 127.1' }, /"127\.1" is not an IP address or CIDR/],
    [{ MAILCONFIG_TRUST_PROXY: '::::' }, /"::::" is not an IP address or CIDR/],
    [{ MAILCONFIG_TRUST_PROXY: '127.0.0.1,,::1' }, /MAILCONFIG_TRUST_PROXY=127\.0\.0\.1,,::1: an empty entry/],
    [{ MAILCONFIG_TRUST_PROXY: 'maybe!' }, /MAILCONFIG_TRUST_PROXY=maybe!: "maybe!" is not/],
  ];
  for (const [env, message] of cases) {
    const run = await serve(env);
    t.equal(run.code, 78, `${JSON.stringify(env)}: EX_CONFIG`);
    t.match(run.stderr, message, JSON.stringify(env));
    oneLine(t, run, JSON.stringify(env));
  }
});

t.test('good HOST, LOG_LEVEL and proxy lists are taken as given', async (t) => {
  t.equal(loadConfig({ HOST: '::' }).host, '::');
  t.equal(loadConfig({ HOST: 'localhost' }).host, 'localhost');
  t.equal(loadConfig({ HOST: ' 127.0.0.1 ' }).host, '127.0.0.1');
  t.equal(loadConfig({}).host, '0.0.0.0');
  t.equal(loadConfig({}).logLevel, 'info');
  t.equal(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
  t.equal(loadConfig({ MAILCONFIG_TRUST_PROXY: ' 127.0.0.1 , ::1/128,127.0.5.0/24 ' }).trustProxy, '127.0.0.1,::1/128,127.0.5.0/24');
  t.equal(loadConfig({ MAILCONFIG_TRUST_PROXY: 'on' }).trustProxy, true);
});

t.test('a port that is taken: one line naming the port, exit 69', async (t) => {
  const other = createServer();
  other.listen(0, '127.0.0.1');
  await once(other, 'listening');
  t.teardown(() => other.close());
  const address = other.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  // A small copy of the database: the failure comes after it is loaded.
  const run = await serve({ HOST: '127.0.0.1', PORT: String(address.port), MAILCONFIG_PROVIDERS: await copyProviders(t, ['posteo.de.xml']) });
  t.equal(run.code, 69, 'EX_UNAVAILABLE');
  t.match(run.stderr, new RegExp(`^mailconfig: cannot start: cannot listen on 127\\.0\\.0\\.1:${address.port}: port ${address.port} is already in use \\(PORT=${address.port};`));
  oneLine(t, run, 'port in use');
});

t.test('a HOST that is no address of this machine: one line naming HOST', async (t) => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned, so the bind fails at once; no packet is sent.
  const run = await serve({ HOST: '192.0.2.1', PORT: '0', MAILCONFIG_PROVIDERS: await copyProviders(t, ['posteo.de.xml']) });
  t.equal(run.code, 69);
  t.match(run.stderr, /^mailconfig: cannot start: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine \(HOST=192\.0\.2\.1\)$/m);
  oneLine(t, run, 'foreign HOST');
});

t.test('a privileged port: one line saying it needs privileges', async (t) => {
  const config = { ...loadConfig({}), host: '0.0.0.0', port: 80 };
  if (process.getuid?.() !== 0) {
    // Not root: the real thing.
    const run = await serve({ HOST: '127.0.0.1', PORT: '80' });
    t.equal(run.code, 69);
    t.match(run.stderr, /port 80 needs privileges \(PORT=80; ports below 1024 need root or CAP_NET_BIND_SERVICE\)/);
    oneLine(t, run, 'privileged port');
  }
  // As root (these machines) any port binds: the mapping is checked with the error listen() gives a normal user.
  const eacces = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES', errno: -13, syscall: 'listen' });
  const mapped = listenError(eacces, config);
  t.ok(mapped instanceof StartupError);
  t.match(mapped, { code: 'MAILCONFIG_LISTEN_FAILED', message: 'cannot listen on 0.0.0.0:80: port 80 needs privileges (PORT=80; ports below 1024 need root or CAP_NET_BIND_SERVICE)' });
  const bug = new TypeError('not a system error');
  t.equal(listenError(bug, config), bug, 'anything else stays the bug it is');
});

t.test('a provider directory that cannot be read: one line naming it', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'mailconfig-startup-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  // Tests run as root, which reads any directory: a dangling link stands in for one that cannot be opened.
  await symlink(join(scratch, 'gone'), join(scratch, 'providers'));
  const run = await serve({ MAILCONFIG_PROVIDERS: join(scratch, 'providers') });
  t.equal(run.code, 78);
  t.match(run.stderr, /^mailconfig: configuration error: MAILCONFIG_PROVIDERS=.*providers is not a directory\n$/);
  oneLine(t, run, 'dangling directory');
  // Checked at load time but gone (or not a directory) when the store opens it: a start-up error, not a stack.
  const file = join(scratch, 'file');
  await writeFile(file, 'not a directory');
  const config = { ...loadConfig({ ...QUIET }), host: '127.0.0.1', port: 0, providersDir: file };
  await t.rejects(startService(config, false), {
    name: 'StartupError',
    code: 'MAILCONFIG_PROVIDERS_UNREADABLE',
    message: `the provider directory ${file} (MAILCONFIG_PROVIDERS) cannot be read: ENOTDIR`,
  });
});
