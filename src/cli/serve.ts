import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, readWorkers } from '../config.js';
import { runPrimary, workerRole, SHUTDOWN_MESSAGE, RELOAD_MESSAGE } from '../process/cluster.js';
import { StartupError, startService, type Service } from '../service.js';
import { CertificateError } from '../tls/context.js';
import { AcmeConfigError } from '../acme/config.js';
import type { CliIo } from './io.js';

const USAGE = `Usage: mailconfig serve [--workers N|auto]

Starts the service. Configuration comes from environment variables (PORT, HOST, MAILCONFIG_*); see README.md.
  --workers N   serving processes (node:cluster), default MAILCONFIG_WORKERS or 1; auto = one per core

Signals: SIGTERM/SIGINT shut down gracefully (a second one stops at once), SIGHUP reloads the TLS certificate
files and the provider directory.
`;

export async function runServe(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  let config;
  let workers: number;
  try {
    config = loadConfig(io.env);
    const flag = workersFlag(args);
    const wanted = flag === undefined ? config.listeners.workers : readWorkers(flag, '--workers');
    workers = wanted === 'auto' ? availableParallelism() : wanted;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`mailconfig: configuration error: ${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers);

  let service: Service;
  try {
    service = await startService(config, undefined, { role: workerRole() });
  } catch (error) {
    if (error instanceof CertificateError) {
      const files = config.listeners.tlsFiles;
      io.stderr.write(`mailconfig: configuration error: MAILCONFIG_TLS_CERT=${files?.cert ?? ''} / MAILCONFIG_TLS_KEY=${files?.key ?? ''}: ${error.message}\n`);
      return 78;
    }
    // startService builds the profile signer: a key that does not fit is a ConfigError too.
    if (error instanceof AcmeConfigError || error instanceof ConfigError) {
      io.stderr.write(`mailconfig: configuration error: ${error.message}\n`);
      return 78; // EX_CONFIG
    }
    // One line naming what is wrong, never a stack: the operator fixes the port or the directory.
    if (error instanceof StartupError) {
      io.stderr.write(`mailconfig: cannot start: ${error.message}\n`);
      return error.code === 'MAILCONFIG_LISTEN_FAILED' ? 69 : 66; // EX_UNAVAILABLE, EX_NOINPUT
    }
    throw error;
  }
  return new Promise<number>((resolve) => handleSignals(service, config.listeners.shutdownTimeoutMs, resolve));
}

function handleSignals(service: Service, timeoutMs: number, done: (code: number) => void): void {
  const log = service.app.log;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      log.warn({ signal: why }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal: why, timeoutMs }, 'shutting down');
    service.shutdown(timeoutMs).then(
      ({ forced }) => {
        log.info({ forced }, 'shut down');
        process.exitCode = 0;
        done(0);
        if (cluster.isWorker) process.disconnect();
        // Nothing should be left, but a stray timer must not keep a stopped service alive.
        setTimeout(() => process.exit(0), 1000).unref();
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const reload = () =>
    void service.reload().catch((error: unknown) => log.error({ err: error }, 'reload failed'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', reload);
  if (cluster.isWorker) {
    // The primary decides: a terminal's Ctrl-C reaches every worker as well as the primary, which passes it on.
    process.on('SIGINT', () => {});
    process.on('message', (message: unknown) => {
      const kind = (message as { kind?: unknown } | undefined)?.kind;
      if (kind === SHUTDOWN_MESSAGE.kind) stop('shutdown (from the primary)');
      else if (kind === RELOAD_MESSAGE.kind) reload();
    });
  } else {
    process.on('SIGINT', () => stop('SIGINT'));
  }
}

function workersFlag(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--workers') return args[i + 1] ?? '';
    if (arg.startsWith('--workers=')) return arg.slice('--workers='.length);
  }
  return undefined;
}
