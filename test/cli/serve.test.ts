import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig, PROJECT_ROOT } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';

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
  const run = await runCli(['serve'], { env: { PORT: 'eighty' } });
  t.equal(run.code, 78);
  t.equal(run.stderr.trim().split('\n').length, 1);
  t.match(run.stderr, /PORT=eighty is not a port number/);
  t.equal(run.stdout, '');
});

t.test('--help lists the commands; an unknown command is a usage error', async (t) => {
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: mailconfig <command>/);
  t.match(help.stdout, /^ {2}providers /m);
  const none = await runCli([]);
  t.equal(none.code, 2, 'no command at all');
  const unknown = await runCli(['srve']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /^mailconfig: unknown command "srve"/);
});

// The one spawned test: the launcher as production runs it (`node bin/mailconfig.js serve` on a fresh build of
// src/ into dist/, so an edit is never tested against stale output), started and stopped by signal.
t.test('bin/mailconfig.js serve starts on the bundled database, answers, and stops on SIGTERM', { timeout: 60_000 }, async (t) => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT });
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MAILCONFIG_DISCOVERY: 'off' },
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
