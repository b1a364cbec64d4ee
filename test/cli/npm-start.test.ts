import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PROJECT_ROOT } from '../../src/config.js';

t.test('npm start runs the built service directly and stops it when npm is signalled', { timeout: 60_000 }, async (t) => {
  const npm = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MAILCONFIG_DISCOVERY: 'off', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => npm.kill('SIGKILL'));
  let out = '';
  const servicePid = await new Promise<number>((resolve, reject) => {
    npm.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('listening at http://'));
      if (line) resolve((JSON.parse(line) as { pid: number }).pid);
    });
    npm.once('exit', (code) => reject(new Error(`npm exited with ${code}: ${out}`)));
  });
  t.match(out, /> exec node bin\/mailconfig\.js serve/, 'npm ran the start script');
  t.notMatch(out, /tsc -p/, 'no TypeScript build before the start');
  t.not(servicePid, npm.pid, 'the service is its own process');
  npm.kill('SIGTERM');
  await once(npm, 'exit');
  // npm forwards the signal to the service (the script execs node), which shuts down gracefully.
  const gone = await new Promise<boolean>((resolve) => {
    const deadline = Date.now() + 15_000;
    const check = () => {
      try {
        process.kill(servicePid, 0);
      } catch {
        return resolve(true);
      }
      if (Date.now() > deadline) return resolve(false);
      setTimeout(check, 50);
    };
    check();
  });
  if (!gone) process.kill(servicePid, 'SIGKILL');
  t.ok(gone, 'node is not left running');
});
