// `mailconfig serve` as a child process (bin/mailconfig.js, built to dist/), for signal, shutdown and worker tests.
// Its JSON log lines are parsed as they arrive; tests wait for a line instead of sleeping.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import type { Teardown } from './providers.js';

const BIN = join(PROJECT_ROOT, 'bin', 'mailconfig.js');

export interface LogLine {
  msg: string;
  level: number;
  [key: string]: unknown;
}

export interface SpawnedService {
  child: ChildProcessWithoutNullStreams;
  logs: LogLine[];
  /** Resolves with the first line (already seen or later) matching; rejects if the process exits first or after `ms`. */
  waitForLog(match: (line: LogLine) => boolean, ms?: number, after?: number): Promise<LogLine>;
  /** Resolves with the exit code (or the signal's name) and when it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
}

export function spawnService(t: Teardown, env: Record<string, string>, args: string[] = []): SpawnedService {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_RATE_LIMIT: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line, level: 0 });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // The pipes are socket pairs: a child that exits at once (a second signal) can reset them mid-read. That is the
  // child's exit, which `exited` reports; it must not surface as an unhandled error of the test process.
  for (const pipe of [child.stdin, child.stdout, child.stderr]) pipe.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal, at: Date.now() });
      for (const wake of waiters) wake();
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  t.teardown(() => {
    if (!done) child.kill('SIGKILL');
  });
  const waitForLog = (match: (line: LogLine) => boolean, ms = 30_000, after = 0) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.slice(after).find(match);
        if (found) return finish(() => resolve(found));
        if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before the log line; stderr: ${err}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no such log line within ${ms} ms; last lines: ${JSON.stringify(logs.slice(-5))}`))), ms);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return { child, logs, waitForLog, exited, stderr: () => err };
}

/** The port of fastify's "Server listening at http(s)://127.0.0.1:PORT" line. */
export async function listeningPort(service: SpawnedService, scheme: 'http' | 'https', after = 0): Promise<number> {
  const pattern = new RegExp(`listening at ${scheme}://127\\.0\\.0\\.1:(\\d+)`);
  const line = await service.waitForLog((l) => pattern.test(l.msg), 30_000, after);
  return Number(pattern.exec(line.msg)?.[1]);
}
