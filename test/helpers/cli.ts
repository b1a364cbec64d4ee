// Runs the CLI in-process, as bin/mailconfig.js does, with its output captured instead of written to the terminal.
import { main, type CliIo } from '../../src/cli/main.js';
import { PROJECT_ROOT } from '../../src/config.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every write, in the order it happened across both streams. */
  writes: { stream: 'stdout' | 'stderr'; text: string }[];
}

export interface CliOptions {
  /** The working directory paths are shown relative to (default: the project root). */
  cwd?: string;
  /** The environment the command sees (default: none at all, so the machine's variables cannot leak in). */
  env?: Record<string, string | undefined>;
  /** Pretend stderr is a terminal this wide. */
  tty?: { columns: number };
  /** A test network's CAs and port mapping (CliIo.network). */
  network?: CliIo['network'];
  /** Sees every write as it happens (the command is still running). */
  onWrite?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const writes: CliRun['writes'] = [];
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        writes.push({ stream: 'stdout', text });
        stdout += text;
        options.onWrite?.('stdout', text);
      },
    },
    stderr: {
      write: (text: string) => {
        writes.push({ stream: 'stderr', text });
        stderr += text;
        options.onWrite?.('stderr', text);
      },
      ...(options.tty ? { isTTY: true, columns: options.tty.columns } : {}),
    },
    env: options.env ?? {},
    cwd: options.cwd ?? PROJECT_ROOT,
    ...(options.network ? { network: options.network } : {}),
  };
  const code = await main(args, io);
  return { code, stdout, stderr, writes };
}
