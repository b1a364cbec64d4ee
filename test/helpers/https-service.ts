// The real service (startService) with its HTTPS listener on random loopback ports.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/service.js';
import type { TlsExtensions } from '../../src/tls/types.js';
import type { Teardown } from './providers.js';

export interface RunningHttps {
  service: Service;
  /** Ports of the HTTP and HTTPS listeners. */
  http: number;
  https: number;
}

/** Writes a certificate and key to a temporary directory (removed at teardown). */
export async function certFiles(t: Teardown, cert: string, key: string): Promise<{ dir: string; cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cert.pem'), cert);
  await writeFile(join(dir, 'key.pem'), key);
  return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

export async function startHttpsService(t: Teardown, env: Record<string, string>, tls?: TlsExtensions): Promise<RunningHttps> {
  const config = { ...loadConfig({ MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_RATE_LIMIT: '0', MAILCONFIG_HTTPS_PORT: '0', ...env }), host: '127.0.0.1', port: 0 };
  const service = await startService(config, false, { tls });
  t.teardown(() => service.shutdown(1000));
  const portOf = (server: { address(): unknown }) => (server.address() as { port: number }).port;
  return { service, http: portOf(service.app.server), https: service.https ? portOf(service.https.server) : 0 };
}
