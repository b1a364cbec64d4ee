import type { FastifyInstance } from 'fastify';
import type { AppConfig } from './config.js';
import { openProviderDatabase } from './providers/database.js';
import { StaticProviderStore } from './settings/resolver.js';
import { settingsResolverFor } from './discovery/setup.js';
import { buildServer } from './http/server.js';

export interface Service {
  app: FastifyInstance;
  store: StaticProviderStore;
}

/** Loads the provider database, builds the app and starts listening. Invalid files are skipped with one log line each. */
export async function startService(config: AppConfig, logger: boolean | Record<string, unknown> = { level: process.env.LOG_LEVEL ?? 'info' }): Promise<Service> {
  const { index, problems } = await openProviderDatabase(config.providersDir);
  const store = new StaticProviderStore(index);
  const app = await buildServer({ config, providers: store, resolver: settingsResolverFor(config.discovery, store) }, { logger });
  for (const problem of problems.filter((p) => p.severity === 'error')) {
    app.log.warn({ file: problem.file, line: problem.line }, `provider file skipped: ${problem.file}:${problem.line}: ${problem.message}`);
  }
  app.log.info({ providers: index.size, domains: index.domainCount, dir: config.providersDir }, 'provider database loaded');
  await app.listen({ port: config.port, host: config.host });
  return { app, store };
}
