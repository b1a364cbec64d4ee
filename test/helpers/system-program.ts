// Tests of real components that npm cannot install (redis-server, pebble) start their own instance; when the program
// is missing they skip the whole file with ONE line naming the Debian package (.ci/run installs them, so CI runs them):
//
//   const redis = requireSystemProgram(t, 'redis-server', 'redis-server');
//   if (redis) { ... start it on a free loopback port ... }
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The program's path on PATH, or undefined. */
export function findSystemProgram(program: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The program's path; when missing, the file's plan becomes "skip" with one line naming the Debian package. */
export function requireSystemProgram(t: { plan(count: number, reason: string): void }, program: string, debianPackage: string, path?: string): string | undefined {
  const found = findSystemProgram(program, path);
  if (!found) t.plan(0, `${program} is not installed (Debian package ${debianPackage}: apt-get install ${debianPackage})`);
  return found;
}
