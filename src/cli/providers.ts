import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLED_PROVIDERS } from '../config.js';
import { openProviderDatabase } from '../providers/database.js';
import { importProviders } from '../providers/import.js';
import type { Problem } from '../providers/parse.js';

const USAGE = `Usage:
  mailconfig providers validate [dir]        check every provider file (default: the bundled providers/)
  mailconfig providers import <from> [--to dir]
                                             normalize ISPDB-format files into provider files
                                             (default --to: the bundled providers/)
`;

type Subcommand = (args: string[]) => Promise<number>;

export const PROVIDER_SUBCOMMANDS: Record<string, Subcommand> = {
  validate: validateCommand,
  import: importCommand,
};

export async function runProviders(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const sub = PROVIDER_SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`mailconfig providers: unknown subcommand "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await sub(rest);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EACCES') {
      process.stderr.write(`mailconfig providers ${name}: ${err.message}\n`);
      return 1;
    }
    if (err.name === 'TypeError' && err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mailconfig providers ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/** `file:line: severity: message`, with the file shown relative to the working directory. */
export function formatProblem(dir: string, problem: Problem): string {
  const path = relative(process.cwd(), `${dir}/${problem.file}`) || problem.file;
  return `${path}:${problem.line}: ${problem.severity}: ${problem.message}`;
}

async function validateCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const dir = positionals[0] ?? BUNDLED_PROVIDERS;
  const { index, problems } = await openProviderDatabase(dir);
  const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  for (const problem of sorted) process.stdout.write(`${formatProblem(dir, problem)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  process.stdout.write(`${index.size} providers, ${index.domainCount} domains: ${errors} errors, ${warnings} warnings\n`);
  return errors > 0 ? 1 : 0;
}

async function importCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' } } });
  const from = positionals[0];
  if (!from) {
    process.stderr.write(`mailconfig providers import: name the directory to import from\n\n${USAGE}`);
    return 2;
  }
  const to = values.to ?? BUNDLED_PROVIDERS;
  const report = await importProviders(from, to);
  for (const problem of report.problems) process.stdout.write(`${formatProblem(from, problem)}\n`);
  process.stdout.write(`imported ${report.written.length} providers (${report.domains} domains) into ${to}; skipped ${report.skipped.length}\n`);
  return report.skipped.length > 0 ? 1 : 0;
}
