import { isAbsolute, relative, resolve } from 'node:path';
import type { Problem } from '../providers/parse.js';

/** `file:line: severity: message`, with the file shown relative to the working directory `cwd`. */
export function formatProblem(dir: string, problem: Problem, cwd: string): string {
  return `${displayPath(dir, problem.file, cwd)}:${problem.line}: ${problem.severity}: ${problem.message}`;
}

/** Relative to the working directory `cwd` when inside it, absolute otherwise (no `../../tmp/...`). */
export function displayPath(dir: string, file: string, cwd: string): string {
  const full = resolve(dir, file);
  const rel = relative(cwd, full);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}

/** A plain text table: columns padded to their widest cell, two spaces apart. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
