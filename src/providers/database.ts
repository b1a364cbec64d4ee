import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MailConfig } from '../settings/model.js';
import { parseProvider, type DomainLines, type Problem } from './parse.js';
import { mapBounded } from './pool.js';

/** One provider file as loaded. */
export interface ProviderEntry {
  /** File name inside the provider directory, e.g. `posteo.de.xml`. */
  file: string;
  /** The file name without `.xml`: the provider's key in the admin API. */
  key: string;
  config: MailConfig;
  /** Strong ETag of the file's bytes (for If-Match on admin writes). */
  etag: string;
  domainLines: DomainLines;
}

export interface LoadedFile {
  entry?: ProviderEntry;
  problems: Problem[];
}

export function providerKey(file: string): string {
  return file.replace(/\.xml$/i, '');
}

export function etagOf(text: string | Buffer): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

/** Parses one provider file's text into an entry (or only problems when it cannot be served). */
export function loadProviderText(file: string, text: string): LoadedFile {
  const { config, problems, domainLines } = parseProvider(text, { file });
  if (!config) return { problems };
  return { entry: { file, key: providerKey(file), config, etag: etagOf(text), domainLines }, problems };
}

/** How the loader reaches the directory (tests count open files through it). */
export interface ProviderFiles {
  /** The names in the directory. */
  list(dir: string): Promise<string[]>;
  /** A file's text; rejects with the errno error (ENOENT, EACCES, EISDIR...) when it cannot be read. */
  read(path: string): Promise<string>;
}

/**
 * Reads block the thread: on the machines measured, a read through the thread pool costs about three times a
 * blocking one in event-loop time, and the loader runs before the service listens. One file is open at a time.
 */
export const DISK: ProviderFiles = {
  list: (dir) => readdir(dir),
  read: async (path) => readFileSync(path, 'utf8'),
};

export interface OpenOptions {
  /** Files read at once at most (default 64): a directory of 100,000 files must not open them all (EMFILE). */
  concurrency?: number;
  files?: ProviderFiles;
}

export const READ_CONCURRENCY = 64;

/**
 * Reads every `*.xml` file of a directory, in name order. A file that cannot be read (no permission, a directory or a
 * dangling link named *.xml) is a problem of that file, like an invalid one: the others still load. The directory
 * itself not being readable is an error for the caller.
 */
async function loadProviderDirectory(dir: string, options: OpenOptions): Promise<LoadedFile[]> {
  const files = options.files ?? DISK;
  const names = (await files.list(dir)).filter((name) => name.toLowerCase().endsWith('.xml')).sort();
  return mapBounded(names, options.concurrency ?? READ_CONCURRENCY, (name) => loadProviderFile(files, dir, name));
}

async function loadProviderFile(files: ProviderFiles, dir: string, name: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await files.read(join(dir, name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    return { problems: [{ file: name, line: 1, severity: 'error', message: `the file cannot be read (${code})` }] };
  }
  return loadProviderText(name, text);
}

/** The order files are taken in when two claim one domain (the first keeps it), as `ls` shows them. */
const FILE_ORDER = new Intl.Collator();

/**
 * The lookup index: address domain -> provider and MX domain -> provider, both O(1). A change of one file replaces
 * that file's entry in place (`replace`), touching only its domains: the cost of a change does not grow with the
 * database. Readers call `current()` on the store for every lookup, so they always see a whole change or none.
 */
export class ProviderIndex {
  private readonly domains = new Map<string, ProviderEntry>();
  private readonly mxDomains = new Map<string, ProviderEntry>();
  private readonly byKey = new Map<string, ProviderEntry>();
  private readonly byFile = new Map<string, ProviderEntry>();
  /** `entries()` in file order, built on first use after a change. */
  private sorted?: ProviderEntry[] | undefined;
  /** Problems found across files (a domain claimed twice). The later file in name order is left out. */
  readonly problems: Problem[] = [];

  constructor(entries: Iterable<ProviderEntry>) {
    for (const entry of [...entries].sort((a, b) => FILE_ORDER.compare(a.file, b.file))) {
      const clashes = this.clashes(entry);
      if (clashes.length > 0) this.problems.push(...clashes);
      else this.add(entry);
    }
  }

  private clashes(entry: ProviderEntry): Problem[] {
    const problems: Problem[] = [];
    const clash = (d: string, other: ProviderEntry, kind: string) =>
      problems.push({ file: entry.file, line: entry.domainLines.get(d) ?? 1, severity: 'error', message: `${kind} ${d} is already claimed by ${other.file}` });
    for (const d of entry.config.domains) {
      const other = this.domains.get(d);
      if (other) clash(d, other, 'domain');
    }
    for (const d of entry.config.mxDomains) {
      const other = this.mxDomains.get(d);
      if (other) clash(d, other, 'MX domain');
    }
    return problems;
  }

  private add(entry: ProviderEntry): void {
    this.byKey.set(entry.key, entry);
    this.byFile.set(entry.file, entry);
    for (const d of entry.config.domains) this.domains.set(d, entry);
    for (const d of entry.config.mxDomains) this.mxDomains.set(d, entry);
    this.sorted = undefined;
  }

  private remove(entry: ProviderEntry): void {
    if (this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
    this.byFile.delete(entry.file);
    for (const d of entry.config.domains) if (this.domains.get(d) === entry) this.domains.delete(d);
    for (const d of entry.config.mxDomains) if (this.mxDomains.get(d) === entry) this.mxDomains.delete(d);
    this.sorted = undefined;
  }

  /**
   * Serves `entry` for `file`, or nothing when it is undefined, instead of what the file served before (returned).
   * The caller has checked the entry against the other files (checks.ts): a domain another file claims is a
   * programming error here, and leaves the index as it was.
   */
  replace(file: string, entry: ProviderEntry | undefined): ProviderEntry | undefined {
    const previous = this.byFile.get(file);
    if (previous) this.remove(previous);
    if (entry) {
      const clashes = this.clashes(entry);
      if (clashes.length > 0) {
        if (previous) this.add(previous);
        throw new Error(`ProviderIndex.replace: ${clashes.map((p) => p.message).join('; ')}`);
      }
      this.add(entry);
    }
    return previous;
  }

  byDomain(domain: string): ProviderEntry | undefined {
    return this.domains.get(domain);
  }

  /** Matches an MX-derived domain against `purpose="mx"` entries first, then address domains (as clients do). */
  byMxDomain(domain: string): ProviderEntry | undefined {
    return this.mxDomains.get(domain) ?? this.domains.get(domain);
  }

  /** The provider that lists `domain` with `purpose="mx"`, if any (address domains not considered). */
  claimingMx(domain: string): ProviderEntry | undefined {
    return this.mxDomains.get(domain);
  }

  get(key: string): ProviderEntry | undefined {
    return this.byKey.get(key);
  }

  /** The entry served for a file name, e.g. `posteo.de.xml`. */
  ofFile(file: string): ProviderEntry | undefined {
    return this.byFile.get(file);
  }

  /** Every entry, in file order. */
  entries(): ProviderEntry[] {
    this.sorted ??= [...this.byFile.values()].sort((a, b) => FILE_ORDER.compare(a.file, b.file));
    return [...this.sorted];
  }

  get size(): number {
    return this.byKey.size;
  }

  get domainCount(): number {
    return this.domains.size;
  }
}

/**
 * Cross-file problems that ProviderIndex does not already report: an MX domain of one provider that is an address
 * domain of another. Reported once, at the MX domain's line.
 */
export function shadowProblems(index: ProviderIndex): Problem[] {
  const problems: Problem[] = [];
  for (const entry of index.entries()) {
    for (const d of entry.config.mxDomains) {
      const other = index.byDomain(d);
      if (!other || other === entry) continue;
      problems.push({ file: entry.file, line: entry.domainLines.get(d) ?? 1, severity: 'error', message: `MX domain ${d} shadows ${other.file}, which has it as an address domain` });
    }
  }
  return problems;
}

/**
 * Loads a directory into an index, exactly as the server serves it: every problem (per file and across files) is
 * returned for logging, and a file that claims a domain already taken or whose MX domain shadows another provider is
 * left out.
 */
export async function openProviderDatabase(dir: string, options: OpenOptions = {}): Promise<{ index: ProviderIndex; problems: Problem[] }> {
  const files = await loadProviderDirectory(dir, options);
  const loaded = new ProviderIndex(files.flatMap((f) => (f.entry ? [f.entry] : [])));
  const shadows = shadowProblems(loaded);
  const shadowing = new Set(shadows.map((p) => p.file));
  const index = shadowing.size > 0 ? new ProviderIndex(loaded.entries().filter((e) => !shadowing.has(e.file))) : loaded;
  return { index, problems: [...files.flatMap((f) => f.problems), ...loaded.problems, ...shadows] };
}
