/**
 * Where a CLI command reads its surroundings and writes its output. The launcher passes the process's own
 * (`processIo()`); tests pass their own and run the commands in-process.
 */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  /** The directory paths are shown relative to. */
  cwd: string;
  /**
   * Test networks only (the launcher passes none): extra trusted CAs, and the port a standard port (443, 993, ...)
   * of an address is really reached on, as in discovery's options.
   */
  network?: { ca?: string[]; mapPort?: (ip: string, standardPort: number) => number };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
