import { processIo, type CliIo } from './io.js';
import { runProviders } from './providers.js';
import { runLookup } from './lookup.js';

export type { CliIo } from './io.js';

export interface Command {
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

// serve is loaded on demand: it pulls in the whole HTTP stack, which the providers commands do not need.
export const COMMANDS: Record<string, Command> = {
  serve: { summary: 'start the HTTP service (configured by environment variables, see README)', run: async (args, io) => (await import('./serve.js')).runServe(args, io) },
  providers: { summary: 'validate | import | add | show | diff the provider database (mailconfig providers --help)', run: runProviders },
  dns: { summary: 'the DNS records a domain should publish (PACC digest, SRV, autoconfig names) (mailconfig dns --help)', run: async (args, io) => (await import('./dns.js')).runDns(args, io) },
  check: { summary: "check a customer's domain: DNS records, certificates, servers (mailconfig check --help)", run: async (args, io) => (await import('./check.js')).runCheck(args, io) },
  certs: { summary: 'list the certificates obtained by ACME: names, issuer, expiry (mailconfig certs --help)', run: async (args, io) => (await import('./certs.js')).runCerts(args, io) },
  lookup: { summary: 'find the settings for an address: database, then live discovery (mailconfig lookup --help)', run: runLookup },
};

const USAGE = `Usage: mailconfig <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Run "mailconfig <command> --help" for a command's options.
`;

/**
 * Runs the CLI and returns the exit code (the launcher sets process.exitCode). Everything it reads and writes goes
 * through `io`, so tests run it in-process with their own.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`mailconfig: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command.run(rest, io);
}
