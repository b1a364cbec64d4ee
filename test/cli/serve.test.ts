import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { PROJECT_ROOT } from '../../src/config.js';

const BIN = join(PROJECT_ROOT, 'bin', 'mailconfig.js');

t.test('invalid configuration names the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^PORT=eighty/],
    [{ PORT: '70000' }, /^PORT=70000/],
    [{ MAILCONFIG_PROVIDERS: '/no/such/dir' }, /^MAILCONFIG_PROVIDERS=/],
    [{ MAILCONFIG_PUBLIC_URL: 'ftp://x' }, /^MAILCONFIG_PUBLIC_URL=/],
    [{ MAILCONFIG_SIGN_CERT: '/no/such.pem', MAILCONFIG_SIGN_KEY: '/no/such.key' }, /^MAILCONFIG_SIGN_CERT=.*cannot be read/],
    [{ MAILCONFIG_SIGN_KEY: '/x' }, /MAILCONFIG_SIGN_CERT is not set/],
    [{ MAILCONFIG_RATE_LIMIT: 'lots' }, /^MAILCONFIG_RATE_LIMIT=/],
    [{ MAILCONFIG_TRUST_PROXY: 'maybe!' }, /^MAILCONFIG_TRUST_PROXY=/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  t.ok(new ConfigError('x') instanceof Error);
});

t.test('the CLI stops the start with one line naming the variable', async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 78);
  t.equal(stderr.trim().split('\n').length, 1);
  t.match(stderr, /PORT=eighty is not a port number/);
});

t.test('serve starts on the bundled database and answers', { timeout: 30_000 }, async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MAILCONFIG_DISCOVERY: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  const res = await fetch(`http://127.0.0.1:${port}/v1.1/gmail.com`);
  t.equal(res.status, 200);
  t.match(await res.text(), /imap\.gmail\.com/);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 0, 'SIGTERM shuts down cleanly');
});

t.test('--help lists the commands', async (t) => {
  const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 0);
  t.match(out, /Usage: mailconfig <command>/);
  t.match(out, /providers/);
});
