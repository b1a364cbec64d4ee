import type { DomainChecker } from '../../src/check/checker.js';
import type { FastifyInstance } from 'fastify';
import { createSignerFromConfig, loadConfig, type AppConfig } from '../../src/config.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import type { SettingsResolver } from '../../src/settings/resolver.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { buildServer } from '../../src/http/server.js';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  config: AppConfig;
  store: StaticProviderStore;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Extra environment, read exactly like the real service reads process.env. */
  env?: Record<string, string>;
  /** Replace the database-only resolver (e.g. with discovery). */
  resolver?: (store: StaticProviderStore) => SettingsResolver;
  /** The domain check to use (tests give one wired to their fake network). */
  checker?: DomainChecker;
}

/** Starts the real HTTP server on a random loopback port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = { ...loadConfig({ ...options.env }), host: '127.0.0.1', port: 0 };
  const { index } = await openProviderDatabase(config.providersDir);
  const store = new StaticProviderStore(index);
  const resolver = options.resolver?.(store) ?? new DatabaseResolver(store);
  const app = await buildServer({ config, providers: store, resolver, signer: createSignerFromConfig(config), ...(options.checker ? { checker: options.checker } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return { url: `http://127.0.0.1:${address.port}`, app, config, store, close: () => app.close() };
}
