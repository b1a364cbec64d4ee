import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex, removeFileDurable, removeStaleTempFiles, writeFileAtomic } from './atomic.js';
import { claimsOf, conflictProblems, fileOfKey, isProviderKey, ProviderKeyError, type DomainClaims } from './checks.js';
import { etagOf, loadProviderText, openProviderDatabase, providerKey, ProviderIndex, type ProviderEntry } from './database.js';
import type { Problem } from './parse.js';
import { DirectoryWatcher, SILENT, type StoreLog, type WatchTarget } from './watch.js';

/** Holds the current provider index; admin changes and reloads swap it atomically. */
export interface ProviderStore {
  current(): ProviderIndex;
}

/** A fixed index (the CLI's one-shot commands, tests, benchmarks). */
export class StaticProviderStore implements ProviderStore {
  constructor(private readonly index: ProviderIndex) {}
  current(): ProviderIndex {
    return this.index;
  }
}

/**
 * What the caller expects of the file on disk before a write or remove, checked under the file's lock (so two
 * writers holding the same ETag cannot both pass). ETags compare exactly; the HTTP rules (lists, `*`, weak tags)
 * are the admin API's business and arrive here already translated.
 */
export type Expectation =
  /** No precondition. */
  | 'any'
  /** The file must not exist (create only). */
  | 'absent'
  /** The file must exist, whatever its version. */
  | 'present'
  /** The file must exist with one of these ETags. */
  | { etags: readonly string[] }
  /** The file must not exist, or exist with none of these ETags. */
  | { notEtags: readonly string[] }
  /** Every one of these must hold. */
  | { allOf: readonly Expectation[] };

export interface WriteOptions {
  /** Default `any`. */
  expect?: Expectation;
}

export type WriteResult =
  | { status: 'written'; entry: ProviderEntry; previous?: ProviderEntry | undefined; created: boolean; warnings: Problem[] }
  | { status: 'invalid'; problems: Problem[] }
  | { status: 'precondition-failed'; etag?: string | undefined };

export type RemoveResult = { status: 'removed'; previous?: ProviderEntry | undefined } | { status: 'missing' } | { status: 'precondition-failed'; etag?: string };

export interface CheckResult {
  /** Present when the text would be accepted. */
  entry?: ProviderEntry;
  /** Errors and warnings, with lines. */
  problems: Problem[];
}

export interface ProviderListing {
  key: string;
  file: string;
  domains: string[];
  mxDomains: string[];
  displayName?: string;
  /** ETag of the version being served (absent when none is). */
  etag?: string;
  /** Why the file on disk is not what is served (an invalid hand edit), empty when it is. */
  problems: Problem[];
}

/** A provider store that the admin API can change. */
export interface ProviderAdminStore extends ProviderStore {
  readonly dir: string;
  list(): ProviderListing[];
  read(key: string): Promise<{ text: string; etag: string } | undefined>;
  check(key: string, text: string): CheckResult;
  write(key: string, text: string, options?: WriteOptions): Promise<WriteResult>;
  remove(key: string, options?: WriteOptions): Promise<RemoveResult>;
}

export function isProviderAdminStore(store: ProviderStore): store is ProviderAdminStore {
  const candidate = store as Partial<ProviderAdminStore>;
  return typeof candidate.write === 'function' && typeof candidate.remove === 'function' && typeof candidate.list === 'function';
}

/** One file's change as applied to the index. */
export interface ProviderChange {
  file: string;
  /** What is served now (undefined: the file is no longer served). */
  entry: ProviderEntry | undefined;
  previous: ProviderEntry | undefined;
}

interface Rejected {
  etag: string;
  problems: Problem[];
}

/**
 * The provider database as served: one ProviderIndex, changed file by file. Changes come from `write` and
 * `remove` (admin API, CLI) and, with `watch()`, from hand edits of the directory. A change that does not validate,
 * alone and against the other files, is refused; for hand edits the last good version keeps serving.
 */
export class LiveProviderStore implements ProviderAdminStore {
  private readonly index: ProviderIndex;
  /** The serving version of each file. */
  private readonly entries = new Map<string, ProviderEntry>();
  /** Files whose version on disk was refused, with why. */
  private readonly rejected = new Map<string, Rejected>();
  /** Validated writes between check and commit, so two concurrent writes to different files cannot claim one domain. */
  private readonly pending = new Map<string, ProviderEntry>();
  private readonly mutex = new KeyedMutex();
  private watcher?: DirectoryWatcher;
  private readonly listeners = new Set<(change: ProviderChange) => void>();
  private closed = false;
  private log: StoreLog = SILENT;
  /** Called after each write or removal through this store (admin API), with the file's name: other instances are told. */
  onWrite: (file: string) => void = () => {};

  private constructor(
    readonly dir: string,
    index: ProviderIndex,
    /** Every problem found when the directory was first loaded (for the start-up log and `validate`). */
    readonly initialProblems: Problem[],
  ) {
    this.index = index;
    for (const entry of index.entries()) this.entries.set(entry.file, entry);
    for (const problem of initialProblems) {
      if (problem.severity !== 'error' || this.entries.has(problem.file)) continue;
      const rejected = this.rejected.get(problem.file) ?? { etag: '', problems: [] };
      rejected.problems.push(problem);
      this.rejected.set(problem.file, rejected);
    }
  }

  /** Loads a directory; invalid files are left out (see `initialProblems`). */
  static async open(dir: string): Promise<LiveProviderStore> {
    // Best effort: a read-only directory has no stale temp files worth failing the start for.
    await removeStaleTempFiles(dir).catch(() => []);
    const { index, problems } = await openProviderDatabase(dir);
    return new LiveProviderStore(dir, index, problems);
  }

  current(): ProviderIndex {
    return this.index;
  }

  list(): ProviderListing[] {
    const files = new Set([...this.entries.keys(), ...this.rejected.keys()]);
    return [...files].sort().map((file) => {
      const entry = this.entries.get(file);
      const listing: ProviderListing = {
        key: entry?.key ?? providerKey(file),
        file,
        domains: entry?.config.domains ?? [],
        mxDomains: entry?.config.mxDomains ?? [],
        problems: this.rejected.get(file)?.problems ?? [],
      };
      if (entry?.config.displayName) listing.displayName = entry.config.displayName;
      if (entry) listing.etag = entry.etag;
      return listing;
    });
  }

  async read(key: string): Promise<{ text: string; etag: string } | undefined> {
    return this.readDisk(fileOfKey(checkedKey(key)));
  }

  /** Validates a provider file's text exactly as a write would, without writing. */
  check(key: string, text: string): CheckResult {
    return this.checkFile(fileOfKey(checkedKey(key)), text);
  }

  async write(key: string, text: string, options: WriteOptions = {}): Promise<WriteResult> {
    const file = fileOfKey(checkedKey(key));
    return this.mutex.run(file, async () => {
      // Preconditions are checked inside the lock: two writers with the same If-Match cannot both pass.
      const onDisk = await this.readDisk(file);
      if (!expectationHolds(options.expect ?? 'any', onDisk?.etag)) return { status: 'precondition-failed', etag: onDisk?.etag };
      const { entry, problems } = this.checkFile(file, text);
      if (!entry) return { status: 'invalid', problems };
      this.pending.set(file, entry);
      try {
        await writeFileAtomic(this.dir, file, text);
      } finally {
        this.pending.delete(file);
      }
      const previous = this.entries.get(file);
      this.commit(file, entry);
      this.onWrite(file);
      return { status: 'written', entry, previous, created: onDisk === undefined, warnings: problems };
    });
  }

  async remove(key: string, options: WriteOptions = {}): Promise<RemoveResult> {
    const file = fileOfKey(checkedKey(key));
    return this.mutex.run(file, async () => {
      const onDisk = await this.readDisk(file);
      if (!onDisk) {
        // Already gone from disk (a hand delete not yet noticed): stop serving it.
        if (this.entries.has(file)) return { status: 'removed', previous: this.commit(file, undefined) };
        return { status: 'missing' };
      }
      if (!expectationHolds(options.expect ?? 'any', onDisk.etag)) return { status: 'precondition-failed', etag: onDisk.etag };
      await removeFileDurable(this.dir, file);
      const previous = this.commit(file, undefined);
      this.onWrite(file);
      return { status: 'removed', previous };
    });
  }

  /** Starts noticing hand edits of the directory (see providers/watch.ts); idempotent. */
  watch(log: StoreLog = SILENT): void {
    this.log = log;
    if (this.watcher || this.closed) return;
    this.watcher = new DirectoryWatcher(this.watchTarget(), log);
    this.watcher.start();
  }

  private watchTarget(): WatchTarget {
    return { dir: this.dir, reload: (file) => this.reloadFile(file), knownFiles: () => [...this.entries.keys(), ...this.rejected.keys()] };
  }

  /**
   * Applies one file's version on disk, as the watcher does for each file it saw change: only that file is read and
   * only its domains change in the index. An invalid version is reported and the last good one keeps serving.
   */
  async reloadFile(file: string): Promise<void> {
    await this.mutex.run(file, () => this.reload(file));
  }

  /** Calls `listener` after every change applied (admin writes, removals, hand edits); returns the unsubscribe. */
  onChange(listener: (change: ProviderChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads every file of the directory again (SIGHUP); resolves when the changes found have been applied. */
  async rescanAll(): Promise<void> {
    if (this.closed) return;
    // Not watching (a store opened by a test or the CLI): a watcher that is never started does the one rescan.
    await (this.watcher ?? new DirectoryWatcher(this.watchTarget(), this.log)).rescanAll();
  }

  /** Resolves once the changes noticed so far have been applied (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    await this.watcher?.settled();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
  }

  private checkFile(file: string, text: string): CheckResult {
    const { entry, problems } = loadProviderText(file, text);
    if (!entry) return { problems };
    const conflicts = conflictProblems(entry, this.claimsExcept(file));
    return conflicts.length > 0 ? { problems: [...problems, ...conflicts] } : { entry, problems };
  }

  /** Who serves each domain now (the index) or is about to (validated writes not yet committed), `file` left out. */
  private claimsExcept(file: string): DomainClaims {
    const index = this.index;
    const pending = claimsOf([...this.pending.values()].filter((entry) => entry.file !== file));
    const other = (entry: ProviderEntry | undefined) => (entry && entry.file !== file ? entry.file : undefined);
    return {
      addressOwner: (domain) => other(index.byDomain(domain)) ?? pending.addressOwner(domain),
      mxOwner: (domain) => other(index.claimingMx(domain)) ?? pending.mxOwner(domain),
    };
  }

  /** Serves `file` as `entry` (or not at all), changing only that file's domains in the index; returns what was served before. */
  private commit(file: string, entry: ProviderEntry | undefined): ProviderEntry | undefined {
    const previous = this.entries.get(file);
    this.index.replace(file, entry);
    if (entry) this.entries.set(file, entry);
    else this.entries.delete(file);
    this.rejected.delete(file);
    const change: ProviderChange = { file, entry, previous };
    // After the commit, outside it: a listener's failure cannot leave a change half applied.
    for (const listener of this.listeners) queueMicrotask(() => listener(change));
    return previous;
  }

  private async readDisk(file: string): Promise<{ text: string; etag: string } | undefined> {
    try {
      const text = await readFile(join(this.dir, file), 'utf8');
      return { text, etag: etagOf(text) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Applies the file's version on disk if it is valid; otherwise reports it and keeps the last good version. */
  private async reload(file: string): Promise<void> {
    if (this.closed) return;
    const onDisk = await this.readDisk(file);
    if (!onDisk) {
      if (this.entries.has(file)) {
        this.commit(file, undefined);
        this.log.info({ file, dir: this.dir, providers: this.index.size }, `provider file ${file} was deleted; no longer served`);
      }
      this.rejected.delete(file);
      return;
    }
    const serving = this.entries.get(file);
    if (serving?.etag === onDisk.etag) {
      // Our own write, or an edit that was reverted.
      this.rejected.delete(file);
      return;
    }
    if (this.rejected.get(file)?.etag === onDisk.etag) return;
    const { entry, problems } = this.checkFile(file, onDisk.text);
    if (!entry) {
      const errors = problems.filter((p) => p.severity === 'error');
      this.rejected.set(file, { etag: onDisk.etag, problems: errors });
      const outcome = serving ? 'still serving its last good version' : 'not served';
      for (const p of errors) this.log.warn({ file, line: p.line, dir: this.dir }, `provider file rejected: ${p.file}:${p.line}: ${p.message} (${outcome})`);
      return;
    }
    this.commit(file, entry);
    this.log.info({ file, dir: this.dir, etag: entry.etag, providers: this.index.size }, `provider file ${file} ${serving ? 'reloaded' : 'added'} after a change on disk`);
  }
}


function checkedKey(key: string): string {
  if (!isProviderKey(key)) throw new ProviderKeyError(key);
  return key;
}

/** `current` is the ETag of the file on disk, undefined when there is none. */
function expectationHolds(expect: Expectation, current: string | undefined): boolean {
  if (expect === 'any') return true;
  if (expect === 'absent') return current === undefined;
  if (expect === 'present') return current !== undefined;
  if ('allOf' in expect) return expect.allOf.every((part) => expectationHolds(part, current));
  if ('etags' in expect) return current !== undefined && expect.etags.includes(current);
  return current === undefined || !expect.notEtags.includes(current);
}
