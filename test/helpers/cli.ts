// Runs the CLI in-process, as bin/mailconfig.js does, with its output captured instead of written to the terminal.
import { main, type CliIo } from '../../src/cli/main.js';
import { PROJECT_ROOT } from '../../src/config.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The working directory paths are shown relative to (default: the project root). */
  cwd?: string;
  /** The environment the command sees (default: none at all, so the machine's variables cannot leak in). */
  env?: Record<string, string | undefined>;
  /** Pretend stderr is a terminal this wide. */
  tty?: { columns: number };
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), ...(options.tty ? { isTTY: true, columns: options.tty.columns } : {}) },
    env: options.env ?? {},
    cwd: options.cwd ?? PROJECT_ROOT,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
