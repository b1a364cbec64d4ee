import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MailConfig } from '../settings/model.js';
import { parseProvider, type Problem } from './parse.js';

/** One provider file as loaded. */
export interface ProviderEntry {
  /** File name inside the provider directory, e.g. `posteo.de.xml`. */
  file: string;
  /** The file name without `.xml`: the provider's key in the admin API. */
  key: string;
  config: MailConfig;
  /** Strong ETag of the file's bytes (for If-Match on admin writes). */
  etag: string;
  domainLines: Map<string, number>;
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

/**
 * Reads every `*.xml` file of a directory, in name order. A file that cannot be read (no permission, a directory or a
 * dangling link named *.xml) is a problem of that file, like an invalid one: the others still load. The directory
 * itself not being readable is an error for the caller.
 */
async function loadProviderDirectory(dir: string): Promise<LoadedFile[]> {
  const names = (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.xml')).sort();
  return Promise.all(names.map((name) => loadProviderFile(dir, name)));
}

async function loadProviderFile(dir: string, name: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    return { problems: [{ file: name, line: 1, severity: 'error', message: `the file cannot be read (${code})` }] };
  }
  return loadProviderText(name, text);
}

/**
 * The lookup index: address domain -> provider and MX domain -> provider, both O(1).
 * Immutable; a change to the database builds a new index and swaps it in.
 */
export class ProviderIndex {
  private readonly domains = new Map<string, ProviderEntry>();
  private readonly mxDomains = new Map<string, ProviderEntry>();
  private readonly byKey = new Map<string, ProviderEntry>();
  /** Problems found across files (a domain claimed twice). The later file in name order is left out. */
  readonly problems: Problem[] = [];

  constructor(entries: Iterable<ProviderEntry>) {
    for (const entry of [...entries].sort((a, b) => a.file.localeCompare(b.file))) this.add(entry);
  }

  private add(entry: ProviderEntry): void {
    const clashes = [
      ...entry.config.domains.filter((d) => this.domains.has(d)).map((d) => ({ d, other: this.domains.get(d)!, kind: 'domain' })),
      ...entry.config.mxDomains.filter((d) => this.mxDomains.has(d)).map((d) => ({ d, other: this.mxDomains.get(d)!, kind: 'MX domain' })),
    ];
    if (clashes.length > 0) {
      for (const { d, other, kind } of clashes) {
        this.problems.push({ file: entry.file, line: entry.domainLines.get(d) ?? 1, severity: 'error', message: `${kind} ${d} is already claimed by ${other.file}` });
      }
      return;
    }
    this.byKey.set(entry.key, entry);
    for (const d of entry.config.domains) this.domains.set(d, entry);
    for (const d of entry.config.mxDomains) this.mxDomains.set(d, entry);
  }

  byDomain(domain: string): ProviderEntry | undefined {
    return this.domains.get(domain);
  }

  /** Matches an MX-derived domain against `purpose="mx"` entries first, then address domains (as clients do). */
  byMxDomain(domain: string): ProviderEntry | undefined {
    return this.mxDomains.get(domain) ?? this.domains.get(domain);
  }

  get(key: string): ProviderEntry | undefined {
    return this.byKey.get(key);
  }

  entries(): ProviderEntry[] {
    return [...this.byKey.values()];
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
export async function openProviderDatabase(dir: string): Promise<{ index: ProviderIndex; problems: Problem[] }> {
  const files = await loadProviderDirectory(dir);
  const loaded = new ProviderIndex(files.flatMap((f) => (f.entry ? [f.entry] : [])));
  const shadows = shadowProblems(loaded);
  const shadowing = new Set(shadows.map((p) => p.file));
  const index = shadowing.size > 0 ? new ProviderIndex(loaded.entries().filter((e) => !shadowing.has(e.file))) : loaded;
  return { index, problems: [...files.flatMap((f) => f.problems), ...loaded.problems, ...shadows] };
}
