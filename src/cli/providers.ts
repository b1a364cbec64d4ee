import { parseArgs } from 'node:util';
import { BUNDLED_PROVIDERS } from '../config.js';
import { importProviders } from '../providers/import.js';
import { openProviderDatabase } from '../providers/database.js';
import { formatProblem } from './format.js';
import type { CliIo } from './io.js';
import { addCommand, diffCommand, showCommand } from './provider-admin.js';

export { formatProblem } from './format.js';

const USAGE = `Usage:
  mailconfig providers validate [dir]        check every provider file (default: the bundled providers/)
  mailconfig providers import <from> [--to dir]
                                             normalize ISPDB-format files into provider files
                                             (default --to: the bundled providers/)
  mailconfig providers add --id ID --domain D [--domain D ...] [--mx-domain M ...]
                           --imap HOST:PORT:SECURITY [--pop3 ...] --smtp HOST:PORT:SECURITY
                           [--username email|localpart] [--name "Display Name"] [--dir dir] [--force]
                                             write a new provider file (SECURITY: ssl|tls, starttls, plain|none;
                                             OAuth2, JMAP/CalDAV/CardDAV/WebDAV, logos: providers add --help)
  mailconfig providers show <domain|address|mx-host> [--dir dir]
                                             which file answers, and the settings clients get
  mailconfig providers diff <dir-a> <dir-b>  what changes for clients, per domain (exit 1 when different)
`;

type Subcommand = (args: string[], io: CliIo) => Promise<number>;

export const PROVIDER_SUBCOMMANDS: Record<string, Subcommand> = {
  validate: validateCommand,
  import: importCommand,
  add: addCommand,
  show: showCommand,
  diff: diffCommand,
};

export async function runProviders(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const sub = PROVIDER_SUBCOMMANDS[name];
  if (!sub) {
    io.stderr.write(`mailconfig providers: unknown subcommand "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await sub(rest, io);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EACCES') {
      io.stderr.write(`mailconfig providers ${name}: ${err.message}\n`);
      return 1;
    }
    if (err.name === 'TypeError' && err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mailconfig providers ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const dir = positionals[0] ?? BUNDLED_PROVIDERS;
  // The server's own loading: per-file problems, domains claimed twice, MX domains shadowing another provider.
  const { index, problems } = await openProviderDatabase(dir);
  const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  for (const problem of sorted) io.stdout.write(`${formatProblem(dir, problem, io.cwd)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  io.stdout.write(`${index.size} providers, ${index.domainCount} domains: ${errors} errors, ${warnings} warnings\n`);
  return errors > 0 ? 1 : 0;
}

async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' } } });
  const from = positionals[0];
  if (!from) {
    io.stderr.write(`mailconfig providers import: name the directory to import from\n\n${USAGE}`);
    return 2;
  }
  const to = values.to ?? BUNDLED_PROVIDERS;
  const report = await importProviders(from, to);
  for (const problem of report.problems) io.stdout.write(`${formatProblem(from, problem, io.cwd)}\n`);
  io.stdout.write(`imported ${report.written.length} providers (${report.domains} domains) into ${to}; skipped ${report.skipped.length}\n`);
  return report.skipped.length > 0 ? 1 : 0;
}
