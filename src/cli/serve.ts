import { ConfigError, loadConfig } from '../config.js';
import { StartupError, startService } from '../service.js';
import type { CliIo } from './io.js';

export async function runServe(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write('Usage: mailconfig serve\n\nStarts the service. Configuration comes from environment variables (PORT, HOST, MAILCONFIG_*); see README.md.\n');
    return 0;
  }
  let service;
  try {
    // startService builds the profile signer: a key that does not fit is a ConfigError too.
    service = await startService(loadConfig(io.env));
  } catch (error) {
    // One line naming what is wrong, never a stack: the operator fixes the variable, the port or the directory.
    if (error instanceof ConfigError) {
      io.stderr.write(`mailconfig: configuration error: ${error.message}\n`);
      return 78; // EX_CONFIG
    }
    if (error instanceof StartupError) {
      io.stderr.write(`mailconfig: cannot start: ${error.message}\n`);
      return error.code === 'MAILCONFIG_LISTEN_FAILED' ? 69 : 66; // EX_UNAVAILABLE, EX_NOINPUT
    }
    throw error;
  }
  const { app } = service;
  const stop = (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Keep running until a signal arrives.
  await new Promise<never>(() => {});
  return 0;
}
