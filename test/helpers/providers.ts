import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { BUNDLED_PROVIDERS, loadConfig } from '../../src/config.js';
import type { LiveProviderStore } from '../../src/providers/store.js';
import { startService } from '../../src/service.js';

/** A few bundled provider files, copied: tests never write to the repository's providers/. */
export const SAMPLE_PROVIDERS = ['posteo.de.xml', 't-online.de.xml', 'gmx.net.xml'];

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Copies `files` from the bundled database into a fresh temp directory, removed when the test ends. */
export async function copyProviders(t: Teardown, files: string[] = SAMPLE_PROVIDERS): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-providers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await Promise.all(files.map((file) => copyFile(join(BUNDLED_PROVIDERS, file), join(dir, file))));
  return dir;
}

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface RunningService {
  url: string;
  app: FastifyInstance;
  store: LiveProviderStore;
  /** Every log line the service wrote, parsed. */
  logs: LogRecord[];
  close(): Promise<void>;
}

/** Starts the real service (startService: live store, file watcher, admin API when a token is in `env`) on loopback. */
export async function startLiveService(t: Teardown, dir: string, env: Record<string, string> = {}): Promise<RunningService> {
  const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_DISCOVERY: 'off', ...env, MAILCONFIG_PROVIDERS: dir }), host: '127.0.0.1', port: 0 };
  const logs: LogRecord[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  const { app, store } = await startService(config, { level: 'info', stream });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  const service = { url: `http://127.0.0.1:${address.port}`, app, store, logs, close: () => app.close() };
  t.teardown(() => app.close());
  return service;
}

/** Polls `check` until it returns true or `ms` pass; resolves with the time it took, or -1 on timeout. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms: number, every = 25): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  return (await check()) ? Date.now() - started : -1;
}
